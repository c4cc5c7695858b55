import { Text } from '@tarojs/components';
import type { OrderState } from '@tokentill/shared-types';
import { STATE_LABEL, STATE_TONE, stateModifier } from '../../utils/order-state';
import './index.css';

/** An order's state as a small coloured badge (`.order-state.order-state--<state>`). */
export function StateBadge({ state }: { state: OrderState }) {
  return (
    <Text
      className={`state-badge state-badge--${STATE_TONE[state]} tt-tone--${STATE_TONE[state]} order-state order-state--${stateModifier(state)}`}
    >
      {STATE_LABEL[state]}
    </Text>
  );
}
