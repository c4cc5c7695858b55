/**
 * The sandbox panel does not exist in the Mini Program: the sandbox's control API is for the H5 build in a
 * browser (index.h5.tsx). This variant renders nothing and imports nothing, so none of the panel reaches the
 * weapp bundle.
 */
export function SandboxPanel() {
  return null;
}
