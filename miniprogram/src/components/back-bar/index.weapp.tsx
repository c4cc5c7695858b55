import type { BackBarProps } from './types';

/**
 * The Mini Program has WeChat's own navigation bar (the page's `navigationBarTitleText`, a back button, or a home
 * button when the page was opened directly, e.g. from a subscribe message): nothing to draw here. The H5 build
 * gets index.h5.tsx.
 */
export function BackBar(_props: BackBarProps) {
  return null;
}
