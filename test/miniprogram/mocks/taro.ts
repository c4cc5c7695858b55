// Stand-in for @tarojs/taro: every API is a jest.fn() that tests program per case (`jest.mocked(Taro.request)`).
// Lifecycle hooks are no-ops; reset between tests with `jest.resetAllMocks()` or `mockReset()`.
const noop = (): void => undefined;

const Taro = {
  request: jest.fn(),
  getStorageSync: jest.fn(),
  setStorageSync: jest.fn(),
  removeStorageSync: jest.fn(),
  showToast: jest.fn(() => Promise.resolve()),
  showLoading: jest.fn(() => Promise.resolve()),
  hideLoading: jest.fn(),
  showModal: jest.fn(() => Promise.resolve({ confirm: true, cancel: false })),
  login: jest.fn(),
  requestPayment: jest.fn(),
  requestSubscribeMessage: jest.fn(),
  connectSocket: jest.fn(),
  navigateTo: jest.fn(),
  redirectTo: jest.fn(),
  getEnv: jest.fn(() => 'WEAPP'),
  ENV_TYPE: { WEAPP: 'WEAPP', WEB: 'WEB' },
  useDidShow: jest.fn(noop),
  useDidHide: jest.fn(noop),
  useLoad: jest.fn(noop),
  useUnload: jest.fn(noop),
  useLaunch: jest.fn(noop),
  useRouter: jest.fn(() => ({ params: {}, path: '' })),
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
  redirectTo,
  getEnv,
  ENV_TYPE,
  useDidShow,
  useDidHide,
  useLoad,
  useUnload,
  useLaunch,
  useRouter,
} = Taro;
