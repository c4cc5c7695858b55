// Host-element stand-ins for @tarojs/components so pages render in jsdom. Only the props the app uses
// are passed through; Taro-style input events arrive as `{ detail: { value } }`.
import type { ReactNode } from 'react';

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

/** `scrollTop` is exposed as `data-scroll-top`, so a test can see when the page asks to scroll. */
export function ScrollView({
  className,
  children,
  scrollTop,
}: BaseProps & { scrollY?: boolean; scrollTop?: number }) {
  return (
    <div className={className} data-scroll-top={scrollTop}>
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

export function Button({
  className,
  children,
  onClick,
  disabled,
}: BaseProps & { disabled?: boolean; type?: string; loading?: boolean }) {
  return (
    <button type="button" className={className} disabled={disabled} onClick={onClick}>
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
}: InputProps & { autoHeight?: boolean; disableDefaultPadding?: boolean }) {
  return (
    <textarea
      className={className}
      value={value}
      placeholder={placeholder}
      maxLength={maxlength}
      disabled={disabled}
      onChange={(event) => onInput?.({ detail: { value: event.target.value } })}
    />
  );
}

export function Image({ className, src, mode }: { className?: string; src: string; mode?: string }) {
  return <img className={className} src={src} data-mode={mode} alt="" />;
}
