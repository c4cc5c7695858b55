/** Called with `true` when the device is back online, `false` when it lost its network. */
export type NetworkListener = (online: boolean) => void;

/** Watches the device's network (`network.weapp.ts` / `network.h5.ts`); returns the function that stops it. */
export type WatchNetwork = (listener: NetworkListener) => () => void;
