export default defineAppConfig({
  pages: ['pages/chat/index', 'pages/orders/index', 'pages/order/index'],
  window: {
    backgroundTextStyle: 'light',
    backgroundColor: '#ededed',
    navigationBarBackgroundColor: '#ededed',
    navigationBarTitleText: 'TokenTill',
    navigationBarTextStyle: 'black',
  },
  // Icons drawn by scripts/make-tab-icons.mjs (81×81, under 1 KB each). Label colours are readable on the
  // bar's #f7f7f7 (WCAG AA 4.5:1): WeChat's usual #7f7f7f grey and #07c160 green are not.
  tabBar: {
    color: '#666666',
    selectedColor: '#067a43',
    backgroundColor: '#f7f7f7',
    borderStyle: 'black',
    list: [
      {
        pagePath: 'pages/chat/index',
        text: '问答',
        iconPath: 'assets/tab-chat.png',
        selectedIconPath: 'assets/tab-chat-active.png',
      },
      {
        pagePath: 'pages/orders/index',
        text: '订单',
        iconPath: 'assets/tab-orders.png',
        selectedIconPath: 'assets/tab-orders-active.png',
      },
    ],
  },
  // Milliseconds, under WeChat's 60 s ceiling; the client's own request timeout (15 s) is shorter still.
  networkTimeout: { request: 20_000, connectSocket: 15_000 },
});
