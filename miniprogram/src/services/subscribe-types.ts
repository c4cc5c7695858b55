/**
 * Asks the user for one subscribe-message grant (one notification when the answer is ready) for `templateId`.
 * Resolves `true` when granted; never rejects (a refusal or failure only means no notification).
 * Implemented per platform: `subscribe.weapp.ts` and `subscribe.h5.ts`.
 */
export type RequestGrantFn = (templateId: string) => Promise<boolean>;
