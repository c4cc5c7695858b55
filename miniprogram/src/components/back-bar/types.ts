export interface BackBarProps {
  /** The page's title, as its `navigationBarTitleText` (WeChat shows that one on weapp). */
  title: string;
  /** What going back leads to, e.g. "返回订单" (shown as "‹ 返回订单"). */
  backText: string;
  /** A tab page to switch to when there is no page to go back to, e.g. '/pages/orders/index'. */
  fallbackTab: string;
}
