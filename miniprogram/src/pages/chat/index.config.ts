export default definePageConfig({
  navigationBarTitleText: 'AI 问答',
});
