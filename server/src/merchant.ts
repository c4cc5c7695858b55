import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { ConfigError, type Config } from './config.js';
import { createWechatpayVerifier, loadPrivateKey, type WechatpayVerifier } from './payment/index.js';
import type { SandboxKeys } from './sandbox/index.js';

/** Everything that identifies this merchant and Mini Program to WeChat, whichever mode supplied it. */
export interface Merchant {
  appid: string;
  appsecret: string;
  mchid: string;
  merchantSerial: string;
  merchantPrivateKey: KeyObject;
  apiV3Key: string;
  /** Sent as `Wechatpay-Serial` on requests in public-key mode. */
  publicKeyId: string | undefined;
  /** Verifies WeChat Pay responses and notifications (public-key and/or certificate mode). */
  verifier: WechatpayVerifier;
  /** Secret of the openid HMAC and seal (identity/openid-vault.ts). */
  openidSecret: string;
}

function readSetting(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([
      `${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
}

/** The live merchant from the environment; key files are read and checked now so a bad one stops the boot. */
export function merchantFromConfig(config: Readonly<Config>): Merchant {
  const required = <K extends keyof Config>(name: K): NonNullable<Config[K]> => {
    const value = config[name];
    if (value === undefined) throw new ConfigError([`${name}: required when SANDBOX=0`]);
    return value as NonNullable<Config[K]>;
  };
  let merchantPrivateKey: KeyObject;
  let verifier: WechatpayVerifier;
  const keyFile = required('WXPAY_MERCHANT_KEY_FILE');
  try {
    merchantPrivateKey = loadPrivateKey(readSetting('WXPAY_MERCHANT_KEY_FILE', keyFile));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([
      `WXPAY_MERCHANT_KEY_FILE: ${keyFile} is not an RSA private key PEM (${(err as Error).message})`,
    ]);
  }
  try {
    verifier = createWechatpayVerifier({
      publicKeys:
        config.WXPAY_PUBLIC_KEY_ID && config.WXPAY_PUBLIC_KEY_FILE
          ? [
              {
                id: config.WXPAY_PUBLIC_KEY_ID,
                pem: readSetting('WXPAY_PUBLIC_KEY_FILE', config.WXPAY_PUBLIC_KEY_FILE),
              },
            ]
          : [],
      platformCertificates: (config.WXPAY_PLATFORM_CERT_FILES ?? []).map((path) =>
        readSetting('WXPAY_PLATFORM_CERT_FILES', path),
      ),
    });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([`WXPAY_PUBLIC_KEY_FILE / WXPAY_PLATFORM_CERT_FILES: ${(err as Error).message}`]);
  }
  return {
    appid: required('WECHAT_APPID'),
    appsecret: required('WECHAT_APPSECRET'),
    mchid: required('WXPAY_MCHID'),
    merchantSerial: required('WXPAY_MERCHANT_SERIAL'),
    merchantPrivateKey,
    apiV3Key: required('WXPAY_APIV3_KEY'),
    publicKeyId: config.WXPAY_PUBLIC_KEY_ID,
    verifier,
    openidSecret: required('OPENID_HMAC_SECRET'),
  };
}

/** The sandbox merchant: the emulator's generated keys, exactly as a real merchant would configure them. */
export function merchantFromSandbox(keys: SandboxKeys, config: Readonly<Config>): Merchant {
  return {
    appid: keys.appid,
    appsecret: keys.appSecret,
    mchid: keys.mchid,
    merchantSerial: keys.merchantSerial,
    merchantPrivateKey: keys.merchantPrivateKey,
    apiV3Key: keys.apiV3Key,
    publicKeyId: keys.publicKeyId,
    verifier: createWechatpayVerifier({
      publicKeys: [{ id: keys.publicKeyId, pem: keys.wechatpayPublicKeyPem }],
    }),
    openidSecret: config.OPENID_HMAC_SECRET ?? `sandbox-openid:${keys.identitySecret}`,
  };
}
