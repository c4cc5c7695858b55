import { ApiError } from '../services/api-error';

/** A short Chinese sentence for the user about a failed request; server messages stay in logs. */
export function errorText(error: unknown): string {
  return error instanceof ApiError ? errorTextForCode(error.code) : '出错了，请稍后重试';
}

/** The sentence for an error code (server or client side); unknown codes get a generic one. */
export function errorTextForCode(code: string): string {
  switch (code) {
    case 'NETWORK_ERROR':
      return '网络连接失败，请检查网络后重试';
    case 'TIMEOUT':
      return '请求超时，请稍后重试';
    case 'RATE_LIMITED':
      return '操作太频繁，请稍后再试';
    case 'TOO_MANY_UNPAID_ORDERS':
      return '未支付的订单较多，请稍后再试';
    case 'PAYMENT_UNAVAILABLE':
      return '支付暂不可用，未扣款，请稍后再试';
    case 'TIER_UNAVAILABLE':
      return '服务繁忙，请稍后再试';
    case 'ORDER_NOT_CANCELLABLE':
      return '订单已支付，无法取消';
    case 'ORDER_NOT_PAYABLE':
      return '订单已失效，请重新提问';
    case 'VALIDATION_FAILED':
      return '问题内容不符合要求，请修改后重试';
    case 'NOT_FOUND':
      return '订单不存在';
    case 'FORBIDDEN':
      return '无权查看这个订单';
    case 'UPSTREAM_UNAVAILABLE':
    case 'UPSTREAM_TIMEOUT':
    case 'UPSTREAM_ERROR':
    case 'NOT_READY':
      return '服务繁忙，请稍后重试';
    case 'UNAUTHENTICATED':
    case 'SESSION_EXPIRED':
    case 'WECHAT_CODE_INVALID':
    case 'LOGIN_FAILED':
      return '登录失败，请重新进入小程序';
    default:
      return '服务暂时不可用，请稍后重试';
  }
}
