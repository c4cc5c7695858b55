export default defineAppConfig({
  pages: ['pages/chat/index'],
  window: {
    backgroundTextStyle: 'light',
    backgroundColor: '#ededed',
    navigationBarBackgroundColor: '#ededed',
    navigationBarTitleText: 'TokenTill',
    navigationBarTextStyle: 'black',
  },
});
