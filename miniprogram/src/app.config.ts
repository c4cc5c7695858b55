export default defineAppConfig({
  pages: ['pages/chat/index', 'pages/orders/index', 'pages/order/index'],
  window: {
    backgroundTextStyle: 'light',
    backgroundColor: '#ededed',
    navigationBarBackgroundColor: '#ededed',
    navigationBarTitleText: 'TokenTill',
    navigationBarTextStyle: 'black',
  },
  // Text-only tabs (icons are optional in WeChat's tabBar; the H5 build hides the empty icon slot in app.css).
  tabBar: {
    color: '#7f7f7f',
    selectedColor: '#07c160',
    backgroundColor: '#f7f7f7',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/chat/index', text: '问答' },
      { pagePath: 'pages/orders/index', text: '订单' },
    ],
  },
  // Milliseconds, under WeChat's 60 s ceiling; the client's own request timeout (15 s) is shorter still.
  networkTimeout: { request: 20_000, connectSocket: 15_000 },
});
