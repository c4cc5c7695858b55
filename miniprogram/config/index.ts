import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import webpack from 'webpack';
import devConfig from './dev';
import prodConfig from './prod';

// Taro sets TARO_ENV from `--type` before it loads this file.
const isH5 = process.env.TARO_ENV === 'h5';

/**
 * Values baked into the client as `process.env.TARO_APP_*` (the only variables client code may read).
 * Taken from the build's environment, else these defaults: H5 talks to its own origin (empty base);
 * weapp has no origin, so it points at the local dev server. `.env*` files in this folder override both.
 */
function clientEnv(): Record<string, string> {
  const apiBase = process.env.TARO_APP_API_BASE ?? (isH5 ? '' : 'http://127.0.0.1:3000');
  const wsBase = process.env.TARO_APP_WS_BASE ?? (isH5 ? '' : 'ws://127.0.0.1:3000');
  // The subscribe-message template of "answer ready" notifications; empty = the app does not ask for a grant.
  // H5 runs against the sandbox, whose default template is TT-SANDBOX-ANSWER-READY (server/src/services.ts).
  const subscribeTemplateId =
    process.env.TARO_APP_SUBSCRIBE_TEMPLATE_ID ?? (isH5 ? 'TT-SANDBOX-ANSWER-READY' : '');
  // H5's customer-service contact (weapp uses WeChat's own customer-service chat): an https link (e.g. a WeCom
  // customer-service URL), `mailto:` or `tel:`. Empty: "联系客服" shows the order number to quote.
  const contactUrl = process.env.TARO_APP_CONTACT_URL ?? '';
  return {
    TARO_APP_API_BASE: JSON.stringify(apiBase),
    TARO_APP_WS_BASE: JSON.stringify(wsBase),
    TARO_APP_SUBSCRIBE_TEMPLATE_ID: JSON.stringify(subscribeTemplateId),
    TARO_APP_CONTACT_URL: JSON.stringify(contactUrl),
  };
}

/**
 * Design px (750 wide) become rpx on weapp and rem on H5, so sizes follow the screen width. Rules whose selector
 * contains `tt-tap` keep real CSS pixels: tap targets must be 44×44 px on the narrowest phone too (app.css).
 */
const pxtransform = { enable: true, config: { selectorBlackList: ['tt-tap'] } };

// Dependencies shipped as modern JS (`?.`, `??`) or as TypeScript must go through Babel too,
// so the output matches the browserslist in package.json (iOS 10 WeChat has neither).
const compileInclude = [
  path.resolve(__dirname, '..', '..', 'shared-types'),
  // Taro's config check rejects RegExp entries; a predicate passes.
  (filename: string) => /[\\/]node_modules[\\/]zod[\\/]/.test(filename),
];

/** The folder of a package as this app resolves it (its own node_modules first, then the workspace root's). */
function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`, { paths: [path.resolve(__dirname, '..')] }));
}

/**
 * npm nests @tarojs/plugin-framework-react (and react-reconciler) under miniprogram/node_modules while the Taro
 * H5 runtime is hoisted to the workspace root, where it cannot see them. Pin these imports to the copies this
 * app resolves, which also guarantees a single React in the bundle.
 */
const sameReactAliases: Record<string, string> = Object.fromEntries(
  ['react', 'react-dom', '@tarojs/plugin-framework-react'].map((name) => [name, packageDir(name)]),
);

// https://docs.taro.zone/docs/next/config
export default defineConfig<'webpack5'>(async (merge) => {
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'tokentill',
    date: '2025-01-01',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: isH5 ? 'dist-h5' : 'dist',
    plugins: [],
    env: clientEnv(),
    defineConstants: {},
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    mini: {
      compile: { include: compileInclude },
      postcss: {
        pxtransform,
        cssModules: { enable: false },
      },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      compile: { include: compileInclude },
      webpackChain(chain) {
        for (const [name, dir] of Object.entries(sameReactAliases)) chain.resolve.alias.set(name, dir);
        // Taro loads each page as its own chunk when first opened: offline, tapping a tab then failed with an
        // uncaught ChunkLoadError and nothing happened. Three small pages fit in one bundle, loaded up front.
        chain.plugin('single-chunk').use(webpack.optimize.LimitChunkCountPlugin, [{ maxChunks: 1 }]);
      },
      output: {
        filename: 'js/[name].[hash:8].js',
        chunkFilename: 'js/[name].[chunkhash:8].js',
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[hash].css',
        chunkFilename: 'css/[name].[chunkhash].css',
      },
      postcss: {
        pxtransform,
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false },
      },
    },
  };

  if (process.env.NODE_ENV === 'development') {
    return merge({}, baseConfig, devConfig);
  }
  return merge({}, baseConfig, prodConfig);
});
