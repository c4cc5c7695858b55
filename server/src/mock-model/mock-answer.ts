import { createHash } from 'node:crypto';

/** The subset of an OpenAI chat message the mock reads. Content may be a string or an array of content parts. */
export interface MockChatMessage {
  role: string;
  content?: string | ReadonlyArray<{ type?: string; text?: string }> | null;
}

/** Everything a test needs to predict the mock's answer to a request. */
export interface MockCompletion {
  /** The answer text as the client will see it (concatenated deltas, or `message.content`). */
  text: string;
  /** The tokens streamed one per `chat.completion.chunk`, in order; `tokens.join('') === text`. */
  tokens: string[];
  finishReason: 'stop' | 'length';
  promptTokens: number;
  completionTokens: number;
}

/** Text of one message: the string content, or its text parts joined. */
export function messageText(message: MockChatMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}

/** Text of the last `user` message ('' when there is none): what the answer is "about". */
export function lastUserText(messages: readonly MockChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') return messageText(messages[i]!);
  }
  return '';
}

const codePoints = (s: string): number => [...s].length;

/**
 * Deterministic prompt-token estimate: characters (code points) of every message's text, halved, rounded up.
 * Roughly what real tokenisers give for mixed Chinese/English, and trivially computable in tests.
 */
export function estimatePromptTokens(messages: readonly MockChatMessage[]): number {
  return Math.ceil(messages.reduce((sum, m) => sum + codePoints(messageText(m)), 0) / 2);
}

/**
 * Splits text into the mock's tokens: each ASCII word or number, each other character (so every CJK character is
 * one token), with preceding whitespace attached. Concatenating the tokens gives the text back exactly.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = Array.from(text.match(/\s*(?:[A-Za-z0-9]+|\S)/gu) ?? []);
  const trailing = text.length - tokens.join('').length;
  if (trailing > 0) tokens.push(text.slice(-trailing)); // trailing whitespace, which no token claims
  return tokens;
}

const EXCERPT_CHARS = 24;

/** The full (untruncated) answer text for a prompt and model. */
function answerText(messages: readonly MockChatMessage[], model: string): string {
  const prompt = lastUserText(messages);
  const digest = createHash('sha256').update(prompt, 'utf8').digest('hex').slice(0, 12);
  const flat = prompt.replace(/\s+/gu, ' ').trim();
  const chars = [...flat];
  const excerpt = chars.length > EXCERPT_CHARS ? `${chars.slice(0, EXCERPT_CHARS).join('')}…` : flat;
  return (
    `【${model}】这是 TokenTill 沙箱模型的模拟回答。` +
    `This is a deterministic answer from the sandbox model ${model}. ` +
    `你的问题共 ${codePoints(prompt)} 个字符，摘要 ${digest}，开头是：“${excerpt}”。` +
    `Your prompt had ${codePoints(prompt)} characters and digest ${digest}. ` +
    `回答逐字流式输出，English words stream one by one, and the answer ends here.`
  );
}

/**
 * What the mock answers to `messages` on `model`: the answer quotes the model id, the length and a SHA-256
 * digest of the last user message and its first 24 characters (so placeholders left by PII redaction show up
 * in the answer), then stops. With `maxTokens` below the answer's length it is cut to that many tokens and
 * `finishReason` is `'length'`.
 */
export function mockCompletion(
  messages: readonly MockChatMessage[],
  model: string,
  maxTokens?: number,
): MockCompletion {
  const all = tokenize(answerText(messages, model));
  const truncated = maxTokens !== undefined && maxTokens < all.length;
  const tokens = truncated ? all.slice(0, maxTokens) : all;
  return {
    text: tokens.join(''),
    tokens,
    finishReason: truncated ? 'length' : 'stop',
    promptTokens: estimatePromptTokens(messages),
    completionTokens: tokens.length,
  };
}

/** The exact text the mock streams (or returns) for these messages, model and token limit. */
export function expectedMockAnswer(
  messages: readonly MockChatMessage[],
  model: string,
  maxTokens?: number,
): string {
  return mockCompletion(messages, model, maxTokens).text;
}
