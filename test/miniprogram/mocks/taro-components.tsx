// Host-element stand-ins for @tarojs/components so pages render in jsdom. Only the props the app uses
// are passed through; Taro-style input events arrive as `{ detail: { value } }`.
import { useEffect, useRef, type ReactNode } from 'react';

interface BaseProps {
  className?: string;
  children?: ReactNode;
  onClick?: () => void;
}

export function View({ className, children, onClick }: BaseProps) {
  return (
    <div className={className} onClick={onClick}>
      {children}
    </div>
  );
}

/**
 * `scrollTop` is exposed as `data-scroll-top`, so a test can see when the page asks to scroll. A DOM `scroll`
 * event reaches `onScroll` as Taro's `{ detail: { scrollTop, scrollHeight } }` (jsdom has no layout: set the
 * element's `scrollTop`, and `data-scroll-height` for its height); a `scrolltolower` DOM event reaches
 * `onScrollToLower` (see test/miniprogram/support/scroll.ts).
 */
export function ScrollView({
  id,
  className,
  children,
  scrollTop,
  onScroll,
  onScrollToLower,
}: BaseProps & {
  id?: string;
  scrollY?: boolean;
  scrollTop?: number;
  lowerThreshold?: number;
  onScroll?: (event: { detail: { scrollTop: number; scrollHeight: number } }) => void;
  onScrollToLower?: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element || !onScrollToLower) return;
    const listener = () => onScrollToLower();
    element.addEventListener('scrolltolower', listener);
    return () => element.removeEventListener('scrolltolower', listener);
  }, [onScrollToLower]);
  return (
    <div
      ref={ref}
      id={id}
      className={className}
      data-scroll-top={scrollTop}
      onScroll={(event) =>
        onScroll?.({
          detail: {
            scrollTop: event.currentTarget.scrollTop,
            scrollHeight: Number(event.currentTarget.dataset.scrollHeight ?? 0),
          },
        })
      }
    >
      {children}
    </div>
  );
}

export function Text({ className, children, onClick }: BaseProps) {
  return (
    <span className={className} onClick={onClick}>
      {children}
    </span>
  );
}

/** `openType` (WeChat's `open-type`, e.g. "contact") is exposed as `data-open-type`. */
export function Button({
  className,
  children,
  onClick,
  disabled,
  openType,
}: BaseProps & {
  disabled?: boolean;
  type?: string;
  loading?: boolean;
  openType?: string;
  showMessageCard?: boolean;
  sendMessageTitle?: string;
  sendMessagePath?: string;
}) {
  return (
    <button
      type="button"
      className={className}
      disabled={disabled}
      onClick={onClick}
      data-open-type={openType}
    >
      {children}
    </button>
  );
}

interface InputProps {
  className?: string;
  value?: string;
  placeholder?: string;
  maxlength?: number;
  disabled?: boolean;
  onInput?: (event: { detail: { value: string } }) => void;
  onFocus?: () => void;
  onBlur?: () => void;
}

export function Input({ className, value, placeholder, maxlength, disabled, onInput }: InputProps) {
  return (
    <input
      className={className}
      value={value}
      placeholder={placeholder}
      maxLength={maxlength}
      disabled={disabled}
      onChange={(event) => onInput?.({ detail: { value: event.target.value } })}
    />
  );
}

export function Textarea({
  className,
  value,
  placeholder,
  maxlength,
  disabled,
  onInput,
  onFocus,
  onBlur,
}: InputProps & { autoHeight?: boolean; disableDefaultPadding?: boolean }) {
  return (
    <textarea
      className={className}
      value={value}
      placeholder={placeholder}
      maxLength={maxlength}
      disabled={disabled}
      onChange={(event) => onInput?.({ detail: { value: event.target.value } })}
      onFocus={onFocus}
      onBlur={onBlur}
    />
  );
}

export function Image({ className, src, mode }: { className?: string; src: string; mode?: string }) {
  return <img className={className} src={src} data-mode={mode} alt="" />;
}
