import type { UserConfigExport } from '@tarojs/cli';

/**
 * Production builds (the default for `taro build`): terser for JS, csso for CSS. The weapp main package must
 * stay under WeChat's 2 MB limit (budget checked by test/miniprogram/weapp-bundle-size.test.ts).
 */
export default {
  jsMinimizer: 'terser',
  terser: { enable: true, config: { compress: { drop_debugger: true } } },
  cssMinimizer: 'csso',
  csso: { enable: true },
  mini: {},
  h5: {},
} satisfies UserConfigExport<'webpack5'>;
