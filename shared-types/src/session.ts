import { z } from 'zod';

/** `POST /api/session`: exchange a `wx.login` code for a session token. */
export const CreateSessionRequestSchema = z.object({
  code: z.string().min(1, 'the wx.login code is missing').max(128, 'the wx.login code is too long'),
});
export type CreateSessionRequest = z.infer<typeof CreateSessionRequestSchema>;

export const CreateSessionResponseSchema = z.object({
  /** Opaque bearer token: send it as `Authorization: Bearer <token>` and as `?token=` on the WebSocket URL. */
  token: z.string(),
  /** Seconds until the token expires. */
  expiresIn: z.number().int().positive(),
});
export type CreateSessionResponse = z.infer<typeof CreateSessionResponseSchema>;
