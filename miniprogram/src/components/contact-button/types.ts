export interface ContactButtonProps {
  /** The order the user needs help with: shown to customer service (weapp message card) or copied (H5). */
  orderId?: string;
  /** Extra classes for placement. */
  className?: string;
}
