import type { UserConfigExport } from '@tarojs/cli';

/** Watch builds (`npm run dev:*`): unminified, with source maps. Do not measure package size on these. */
export default {
  logger: { quiet: false, stats: true },
  mini: {},
  h5: {},
} satisfies UserConfigExport<'webpack5'>;
