import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  armModelFault,
  armPaymentFault,
  clearAllFaults,
  listArmedFaults,
  readBreakers,
  sandboxAvailable,
  type ArmedFaults,
  type Breakers,
} from '../../services/sandbox-control.h5';
import { armedLines, breakerLines, DRILLS, isDrillArmed, type Drill } from './faults';
import './index.css';

/** How often the armed list is read again while the sheet is open (faults are consumed by orders). */
const OPEN_REFRESH_MS = 2_000;
/** How often, with the sheet closed, while something is still armed (so the pill's label goes back to "沙箱"). */
const CLOSED_REFRESH_MS = 5_000;

/**
 * The H5 build's sandbox panel (issue 8): renders nothing unless the server is in sandbox mode (`GET
 * /sandbox/state` answers 200, asked once). Then a small "沙箱" pill sits where the page puts it (the chat page:
 * the top-right corner of its header, clear of the conversation), reads "沙箱 · 已布置 N" while faults are armed,
 * and opens a sheet that arms faults of the WeChat Pay emulator and the mock model for the next order, lists
 * what is armed, shows the server's circuit breakers (each provider, and whether each tier can take an order:
 * `GET /sandbox/breakers`), and clears everything. The weapp build gets index.weapp.tsx, which renders nothing.
 *
 * Hooks: `.sandbox-pill`, `.sandbox-panel`, `.sandbox-fault--<id>` (see DRILLS), `.sandbox-clear`,
 * `.sandbox-breaker--<tier:id|provider:id>`.
 */
export function SandboxPanel() {
  const [available, setAvailable] = useState(false);

  useEffect(() => {
    let live = true;
    void sandboxAvailable().then((yes) => {
      if (live) setAvailable(yes);
    });
    return () => {
      live = false;
    };
  }, []);

  return available ? <SandboxControls /> : null;
}

type Notice = { tone: 'ok' | 'error'; text: string };

function SandboxControls() {
  const [open, setOpen] = useState(false);
  const [armed, setArmed] = useState<ArmedFaults | undefined>(undefined);
  const [breakers, setBreakers] = useState<Breakers | undefined>(undefined);
  const [listFailed, setListFailed] = useState(false);
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<Notice | undefined>(undefined);
  const latestRead = useRef(0);

  // Only the newest read is applied, so a slow answer never overwrites a fresher one.
  const refresh = useCallback(async () => {
    const read = ++latestRead.current;
    try {
      // The breakers are extra: a server without them (or a failed read) still lists the faults.
      const [next, circuits] = await Promise.all([listArmedFaults(), readBreakers().catch(() => undefined)]);
      if (read !== latestRead.current) return;
      setArmed(next);
      setBreakers(circuits);
      setListFailed(false);
    } catch {
      if (read === latestRead.current) setListFailed(true);
    }
  }, []);

  const lines = armed ? armedLines(armed) : [];
  const armedCount = lines.length;

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (!open && armedCount === 0) return;
    const timer = setInterval(() => void refresh(), open ? OPEN_REFRESH_MS : CLOSED_REFRESH_MS);
    return () => clearInterval(timer);
  }, [open, armedCount, refresh]);

  // The H5 tab bar sits outside the page and would cover the sheet's bottom, as with the pay sheet.
  useEffect(() => {
    if (!open) return;
    Taro.hideTabBar({ animation: false }).catch(() => undefined);
    return () => {
      Taro.showTabBar({ animation: false }).catch(() => undefined);
    };
  }, [open]);

  const openSheet = () => {
    setOpen(true);
    setNotice(undefined);
    void refresh();
  };

  const run = async (key: string, action: () => Promise<void>, done: string, failed: string) => {
    if (busy) return;
    setBusy(key);
    try {
      await action();
      setNotice({ tone: 'ok', text: done });
    } catch (error) {
      setNotice({
        tone: 'error',
        text: `${failed}：${error instanceof Error ? error.message : String(error)}`,
      });
    } finally {
      setBusy(undefined);
      void refresh();
    }
  };

  const arm = (drill: Drill) =>
    run(
      drill.id,
      async () => {
        if (drill.payment) await armPaymentFault(drill.payment);
        for (const spec of drill.model ?? []) await armModelFault(spec);
      },
      `已布置「${drill.title}」，下一笔订单生效`,
      `「${drill.title}」布置失败`,
    );

  const clear = () => run('clear', clearAllFaults, '已清除全部故障', '清除失败');

  const paymentDrills = DRILLS.filter((drill) => drill.payment);
  const modelDrills = DRILLS.filter((drill) => drill.model);

  const drillRow = (drill: Drill) => {
    const isArmed = armed !== undefined && isDrillArmed(drill, armed);
    const className = [
      'sandbox-fault',
      `sandbox-fault--${drill.id}`,
      isArmed ? 'sandbox-fault--armed' : '',
      busy === drill.id ? 'sandbox-fault--busy' : '',
    ]
      .filter(Boolean)
      .join(' ');
    return (
      <View key={drill.id} className={className} onClick={() => void arm(drill)}>
        <View className="sandbox-fault__body">
          <Text className="sandbox-fault__title">{drill.title}</Text>
          <Text className="sandbox-fault__expect">{drill.expect}</Text>
        </View>
        <Text className="sandbox-fault__action">
          {busy === drill.id ? '布置中…' : isArmed ? '已布置' : '布置'}
        </Text>
      </View>
    );
  };

  return (
    <View className="sandbox-anchor">
      <View
        className={armedCount > 0 ? 'sandbox-pill sandbox-pill--armed' : 'sandbox-pill'}
        onClick={openSheet}
      >
        <Text className="sandbox-pill__label">沙箱</Text>
        {armedCount > 0 ? <Text className="sandbox-pill__count">{` · 已布置 ${armedCount}`}</Text> : null}
      </View>
      {open ? (
        <View className="sandbox-panel">
          <View className="sandbox-panel__mask" onClick={() => setOpen(false)} />
          <View className="sandbox-panel__sheet">
            <View className="sandbox-panel__head">
              <Text className="sandbox-panel__spacer" />
              <Text className="sandbox-panel__title">沙箱故障演练</Text>
              <Text className="sandbox-panel__close" onClick={() => setOpen(false)}>
                完成
              </Text>
            </View>
            <View className="sandbox-panel__scroll">
              <Text className="sandbox-panel__intro">
                为下一笔订单布置故障，然后照常提问、支付，看产品如何应对。
              </Text>

              <Text className="sandbox-panel__section">已布置</Text>
              <View className="sandbox-panel__group sandbox-armed">
                {lines.length > 0 ? (
                  lines.map((line) => (
                    <View key={line.key} className="sandbox-armed__item">
                      <Text className="sandbox-armed__scope">{line.scope}</Text>
                      <Text className="sandbox-armed__text">{line.text}</Text>
                    </View>
                  ))
                ) : (
                  <Text className="sandbox-armed__empty">
                    {listFailed ? '读取失败，稍后自动重试' : armed ? '没有布置任何故障' : '正在读取…'}
                  </Text>
                )}
              </View>

              {breakers ? (
                <>
                  <Text className="sandbox-panel__section">熔断器 · 服务器上各模型服务商的状态</Text>
                  <View className="sandbox-panel__group sandbox-breakers">
                    {breakerLines(breakers).map((line) => (
                      <View
                        key={line.key}
                        className={`sandbox-breaker sandbox-breaker--${line.key.replace(':', '-')}`}
                      >
                        <Text className="sandbox-breaker__name">{line.name}</Text>
                        <Text className={`sandbox-breaker__status sandbox-breaker__status--${line.tone}`}>
                          {line.status}
                        </Text>
                      </View>
                    ))}
                  </View>
                </>
              ) : null}

              <Text className="sandbox-panel__section">支付回调 · 同时只生效一项，后布置的替换先布置的</Text>
              <View className="sandbox-panel__group">{paymentDrills.map(drillRow)}</View>

              <Text className="sandbox-panel__section">模型 · 作用于基础套餐（mock-fast → mock-backup）</Text>
              <View className="sandbox-panel__group">{modelDrills.map(drillRow)}</View>
            </View>

            {notice ? (
              <Text className={`sandbox-panel__notice sandbox-panel__notice--${notice.tone}`}>
                {notice.text}
              </Text>
            ) : null}
            <Button
              className="sandbox-panel__clear sandbox-clear"
              disabled={busy ? true : undefined}
              onClick={() => void clear()}
            >
              清除全部
            </Button>
          </View>
        </View>
      ) : null}
    </View>
  );
}
