import { ApiError } from '../services/api-error';

/** A short Chinese sentence for the user about a failed request; server messages stay in logs. */
export function errorText(error: unknown): string {
  if (!(error instanceof ApiError)) return '出错了，请稍后重试';
  switch (error.code) {
    case 'NETWORK_ERROR':
      return '网络连接失败，请检查网络后重试';
    case 'TIMEOUT':
      return '请求超时，请稍后重试';
    case 'UPSTREAM_UNAVAILABLE':
    case 'NOT_READY':
    case 'RATE_LIMITED':
      return '服务繁忙，请稍后重试';
    case 'UNAUTHENTICATED':
    case 'SESSION_EXPIRED':
      return '登录已过期，请重新进入小程序';
    default:
      return '服务暂时不可用，请稍后重试';
  }
}
