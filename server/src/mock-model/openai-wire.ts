import { randomBytes } from 'node:crypto';
import type { MockChatMessage } from './mock-answer.js';

/** OpenAI's error body: `{ error: { message, type, param, code } }`. The SDK builds its error classes from it. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** A JSON answer the handler should send: status, body and extra headers. */
export interface WireError {
  status: number;
  body: OpenAIErrorBody;
  headers?: Record<string, string>;
}

export function wireError(
  status: number,
  message: string,
  type = 'invalid_request_error',
  param: string | null = null,
  code: string | null = null,
): WireError {
  return { status, body: { error: { message, type, param, code } } };
}

/** The fields of a chat completion request the mock acts on, validated. */
export interface ChatRequest {
  model: string;
  messages: MockChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number | undefined;
}

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const missing = (param: string) =>
  wireError(
    400,
    `Missing required parameter: '${param}'.`,
    'invalid_request_error',
    param,
    'missing_required_parameter',
  );

const invalidType = (param: string, expected: string, got: unknown) =>
  wireError(
    400,
    `Invalid type for '${param}': expected ${expected}, but got ${got === null ? 'null' : typeof got} instead.`,
    'invalid_request_error',
    param,
    'invalid_type',
  );

function positiveInteger(body: Record<string, unknown>, param: string): number | undefined | WireError {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) return invalidType(param, 'an integer', value);
  if (value < 1)
    return wireError(
      400,
      `Invalid '${param}': integer below minimum value. Expected a value >= 1, but got ${value} instead.`,
      'invalid_request_error',
      param,
      'integer_below_min_value',
    );
  return value;
}

function validateMessages(value: unknown): MockChatMessage[] | WireError {
  if (value === undefined) return missing('messages');
  if (!Array.isArray(value)) return invalidType('messages', 'an array', value);
  if (value.length === 0)
    return wireError(
      400,
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'invalid_request_error',
      'messages',
      'empty_array',
    );
  for (const [i, message] of value.entries()) {
    const param = `messages[${i}]`;
    if (!isRecord(message)) return invalidType(param, 'an object', message);
    if (typeof message.role !== 'string' || !ROLES.includes(message.role))
      return wireError(
        400,
        `Invalid value: '${String(message.role)}'. Supported values are: ${ROLES.map((r) => `'${r}'`).join(', ')}.`,
        'invalid_request_error',
        `${param}.role`,
        'invalid_value',
      );
    const content = message.content;
    const contentOk =
      typeof content === 'string' ||
      Array.isArray(content) ||
      (message.role === 'assistant' && (content === null || content === undefined));
    if (!contentOk) {
      return content === undefined
        ? missing(`${param}.content`)
        : invalidType(`${param}.content`, 'a string or an array of content parts', content);
    }
  }
  return value as MockChatMessage[];
}

/**
 * Validates a `POST /v1/chat/completions` body the way OpenAI does for the fields the mock uses, answering with
 * OpenAI's error shape and codes. Fields the mock does not act on (temperature, tools, …) are accepted and ignored.
 */
export function parseChatRequest(body: unknown): ChatRequest | WireError {
  if (!isRecord(body)) return invalidType('body', 'an object', body);
  if (body.model === undefined || body.model === '') return missing('model');
  if (typeof body.model !== 'string') return invalidType('model', 'a string', body.model);
  const messages = validateMessages(body.messages);
  if (!Array.isArray(messages)) return messages;
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean')
    return invalidType('stream', 'a boolean', body.stream);
  const stream = body.stream === true;
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!stream)
      return wireError(
        400,
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        'invalid_request_error',
        'stream_options',
        null,
      );
    if (!isRecord(streamOptions)) return invalidType('stream_options', 'an object', streamOptions);
  }
  if (body.n !== undefined && body.n !== null && body.n !== 1)
    return wireError(
      400,
      'The sandbox model only supports n=1.',
      'invalid_request_error',
      'n',
      'unsupported_value',
    );
  const maxCompletionTokens = positiveInteger(body, 'max_completion_tokens');
  if (typeof maxCompletionTokens === 'object') return maxCompletionTokens;
  const maxTokens = positiveInteger(body, 'max_tokens');
  if (typeof maxTokens === 'object') return maxTokens;
  return {
    model: body.model,
    messages,
    stream,
    includeUsage: isRecord(streamOptions) && streamOptions.include_usage === true,
    maxTokens: maxCompletionTokens ?? maxTokens,
  };
}

export const isWireError = (value: unknown): value is WireError =>
  isRecord(value) && typeof value.status === 'number' && isRecord(value.body);

/** `chatcmpl-` + 24 random base62-ish characters, like OpenAI's ids. */
export const completionId = (): string => `chatcmpl-${randomBytes(18).toString('base64url')}`;

/** `req_` + 32 hex characters, the shape of OpenAI's `x-request-id` (the SDK exposes it as `requestID`). */
export const requestId = (): string => `req_${randomBytes(16).toString('hex')}`;

export interface ChunkBase {
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
}

/** One `chat.completion.chunk`. With `include_usage`, OpenAI sends `usage: null` on every chunk but the last. */
export function chunk(
  base: ChunkBase,
  delta: Record<string, unknown>,
  finishReason: 'stop' | 'length' | null,
): Record<string, unknown> {
  return {
    id: base.id,
    object: 'chat.completion.chunk',
    created: base.created,
    model: base.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(base.includeUsage ? { usage: null } : {}),
  };
}

export const SYSTEM_FINGERPRINT = 'fp_tokentill_mock';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export const usageOf = (promptTokens: number, completionTokens: number): Usage => ({
  prompt_tokens: promptTokens,
  completion_tokens: completionTokens,
  total_tokens: promptTokens + completionTokens,
});

/** One server-sent event carrying JSON (or the literal `[DONE]`). */
export const sseEvent = (data: unknown): string =>
  `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
