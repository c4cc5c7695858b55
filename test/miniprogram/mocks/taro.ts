// Stand-in for @tarojs/taro: every API is a jest.fn() that tests program per case (`jest.mocked(Taro.request)`).
// Storage is an in-memory map by default (`storage`, cleared with `storage.clear()`); lifecycle hooks are
// no-ops. Prefer `mockReset()` on single functions: `jest.resetAllMocks()` also drops the storage behaviour.
const noop = (): void => undefined;

/** The storage behind get/set/removeStorageSync. */
export const storage = new Map<string, unknown>();

/** The latest page's `useReachBottom` handler: tests call `reachBottom.callback?.()` to scroll to the end. */
export const reachBottom: { callback: (() => void) | undefined } = { callback: undefined };

type NetworkCallback = (result: { isConnected: boolean; networkType: string }) => void;
const networkCallbacks = new Set<NetworkCallback>();

/** Plays WeChat's network status event (`wx.onNetworkStatusChange`) to every registered callback. */
export function emitNetworkStatus(isConnected: boolean): void {
  for (const callback of [...networkCallbacks]) {
    callback({ isConnected, networkType: isConnected ? 'wifi' : 'none' });
  }
}

const Taro = {
  request: jest.fn(),
  getStorageSync: jest.fn((key: string) => (storage.has(key) ? storage.get(key) : '')),
  setStorageSync: jest.fn((key: string, value: unknown) => {
    // Like WeChat, store a copy (JSON-serialised), not the live object.
    storage.set(key, JSON.parse(JSON.stringify(value)));
  }),
  removeStorageSync: jest.fn((key: string) => {
    storage.delete(key);
  }),
  showToast: jest.fn(() => Promise.resolve()),
  showLoading: jest.fn(() => Promise.resolve()),
  hideLoading: jest.fn(),
  showModal: jest.fn(() => Promise.resolve({ confirm: true, cancel: false })),
  login: jest.fn(),
  requestPayment: jest.fn(),
  requestSubscribeMessage: jest.fn(),
  connectSocket: jest.fn(),
  navigateTo: jest.fn(() => Promise.resolve()),
  navigateBack: jest.fn(() => Promise.resolve()),
  redirectTo: jest.fn(() => Promise.resolve()),
  reLaunch: jest.fn(() => Promise.resolve()),
  switchTab: jest.fn(() => Promise.resolve()),
  getCurrentPages: jest.fn((): unknown[] => [{ route: 'pages/orders/index' }]),
  setClipboardData: jest.fn(() => Promise.resolve()),
  stopPullDownRefresh: jest.fn(),
  hideTabBar: jest.fn(() => Promise.resolve()),
  showTabBar: jest.fn(() => Promise.resolve()),
  onNetworkStatusChange: jest.fn((callback: NetworkCallback) => {
    networkCallbacks.add(callback);
  }),
  offNetworkStatusChange: jest.fn((callback: NetworkCallback) => {
    networkCallbacks.delete(callback);
  }),
  getEnv: jest.fn(() => 'WEAPP'),
  ENV_TYPE: { WEAPP: 'WEAPP', WEB: 'WEB' },
  useDidShow: jest.fn(noop),
  useDidHide: jest.fn(noop),
  useLoad: jest.fn(noop),
  useUnload: jest.fn(noop),
  useLaunch: jest.fn(noop),
  useReachBottom: jest.fn((callback: () => void) => {
    reachBottom.callback = callback;
  }),
  usePullDownRefresh: jest.fn(noop),
  useRouter: jest.fn(() => ({ params: {} as Record<string, string>, path: '' })),
};

export default Taro;
export const {
  request,
  getStorageSync,
  setStorageSync,
  removeStorageSync,
  showToast,
  showLoading,
  hideLoading,
  showModal,
  login,
  requestPayment,
  requestSubscribeMessage,
  connectSocket,
  navigateTo,
  navigateBack,
  redirectTo,
  reLaunch,
  switchTab,
  getCurrentPages,
  setClipboardData,
  stopPullDownRefresh,
  hideTabBar,
  showTabBar,
  onNetworkStatusChange,
  offNetworkStatusChange,
  getEnv,
  ENV_TYPE,
  useDidShow,
  useDidHide,
  useLoad,
  useUnload,
  useLaunch,
  useReachBottom,
  usePullDownRefresh,
  useRouter,
} = Taro;
