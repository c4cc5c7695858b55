/**
 * Groups streamed tokens into chunks: one Redis append and one WebSocket frame per chunk instead of per token.
 * A chunk is flushed when it reaches `maxChars` or `maxDelayMs` after its first character, whichever comes
 * first. `push` waits while a flush is in flight, so a slow store slows the model stream instead of buffering.
 */
export interface AnswerBatcher {
  push(text: string): Promise<void>;
  /** Writes whatever is pending (before a reset, and at the end). */
  flush(): Promise<void>;
  /** Stops the timer; pending text is dropped. */
  cancel(): void;
}

export function createAnswerBatcher(
  write: (text: string) => Promise<void>,
  options: { maxChars?: number; maxDelayMs?: number } = {},
): AnswerBatcher {
  const maxChars = options.maxChars ?? 64;
  const maxDelayMs = options.maxDelayMs ?? 25;
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const flush = async (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    await inFlight;
    if (pending === '') return;
    const text = pending;
    pending = '';
    inFlight = write(text);
    await inFlight;
  };

  return {
    async push(text) {
      if (text === '') return;
      await inFlight;
      pending += text;
      if (pending.length >= maxChars) {
        await flush();
      } else if (!timer) {
        timer = setTimeout(() => void flush().catch(() => undefined), maxDelayMs);
      }
    },
    flush,
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      pending = '';
    },
  };
}
