import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from './client.js';

/**
 * The Lua scripts in ./scripts, registered as ioredis commands (EVALSHA with automatic EVAL fallback). Each file
 * is named `<name>-<numberOfKeys>.lua` and starts with its contract.
 */
const SCRIPTS = {
  transition: 'transition-3.lua',
  createOrder: 'create-order-1.lua',
  startGeneration: 'start-generation-2.lua',
  appendAnswer: 'append-answer-2.lua',
  claimDue: 'claim-due-1.lua',
  forgetLiveOrder: 'forget-live-order-1.lua',
  reserveOpenOrder: 'reserve-open-order-1.lua',
  settleClaim: 'settle-claim-1.lua',
} as const;

export type ScriptName = keyof typeof SCRIPTS;

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

export interface RedisScripts {
  /** Runs a script with its keys followed by its arguments. */
  run(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown>;
}

const loaded = new WeakMap<Redis, RedisScripts>();

/** Registers every script on `redis` once (per connection) and returns a typed runner. */
export function redisScripts(redis: Redis): RedisScripts {
  const existing = loaded.get(redis);
  if (existing) return existing;
  for (const [name, file] of Object.entries(SCRIPTS)) {
    const numberOfKeys = Number(/-(\d+)\.lua$/.exec(file)?.[1]);
    redis.defineCommand(`tt_${name}`, {
      numberOfKeys,
      lua: readFileSync(join(__dirname, 'scripts', file), 'utf8'),
    });
  }
  const scripts: RedisScripts = {
    run(name, keys, args) {
      const command = (redis as unknown as Record<string, ScriptCall>)[`tt_${name}`];
      if (!command) throw new Error(`Redis script ${name} is not registered`);
      return command.call(redis, ...keys, ...args);
    },
  };
  loaded.set(redis, scripts);
  return scripts;
}
