/// <reference types="@tarojs/taro" />

declare module '*.png';
declare module '*.gif';
declare module '*.jpg';
declare module '*.jpeg';
declare module '*.svg';
declare module '*.css';

declare namespace NodeJS {
  interface ProcessEnv {
    /** Set by the build; decides which bundle is produced. */
    NODE_ENV: 'development' | 'production' | 'test';
    /** The platform being built (`taro build --type`). */
    TARO_ENV: 'weapp' | 'h5';
    /**
     * Base URL of the TokenTill server, without a trailing slash. Default: empty on H5 (same origin),
     * `http://127.0.0.1:3000` on weapp. Baked in at build time by config/index.ts.
     */
    TARO_APP_API_BASE?: string;
    /**
     * Base URL of the WebSocket endpoint (`/ws` is appended). Default: empty on H5 (derived from the page's
     * origin), `ws://127.0.0.1:3000` on weapp. Baked in at build time by config/index.ts.
     */
    TARO_APP_WS_BASE?: string;
    /**
     * The subscribe-message template id of the "answer ready" notification (must match the server's). When set,
     * the app asks for a one-time grant before each payment (on H5: records one in the sandbox). Default: empty,
     * never asks. Baked in at build time by config/index.ts.
     */
    TARO_APP_SUBSCRIBE_TEMPLATE_ID?: string;
    /**
     * H5 only: where "联系客服" leads (an https link such as a WeCom customer-service URL, `mailto:` or `tel:`);
     * weapp opens WeChat's own customer-service chat. Default: empty, the app shows the order number to quote.
     * Baked in at build time by config/index.ts.
     */
    TARO_APP_CONTACT_URL?: string;
  }
}
