import { Text, View } from '@tarojs/components';
import type { Tier } from '../../types/tier';
import { formatPriceFen } from '../../utils/money';
import './index.css';

export interface TierPickerProps {
  tiers: Tier[];
  /** The chosen tier's id; undefined when none is chosen yet. */
  selectedId: string | undefined;
  onSelect: (id: string) => void;
}

/**
 * The tiers as a row of one-line cards (title and price), one selectable at a time; the chosen tier's
 * description is shown once, in small text, under the row (the composer stays short). A tier the server says
 * cannot take orders now (`available: false`) is greyed with "繁忙" and its description says why.
 */
export function TierPicker({ tiers, selectedId, onSelect }: TierPickerProps) {
  const selected = tiers.find((tier) => tier.id === selectedId);
  return (
    <View className="tier-picker">
      <View className="tier-picker__row">
        {tiers.map((tier) => {
          const isSelected = tier.id === selectedId;
          const unavailable = tier.available === false;
          const className = [
            'tier-picker__item tier-option tt-tap',
            isSelected ? 'tier-picker__item--selected tier-option--selected' : '',
            unavailable ? 'tier-picker__item--unavailable tier-option--unavailable' : '',
          ]
            .filter(Boolean)
            .join(' ');
          return (
            <View key={tier.id} className={className} onClick={() => onSelect(tier.id)}>
              <Text className="tier-picker__title">{tier.title}</Text>
              {unavailable ? (
                <Text className="tier-picker__busy">繁忙</Text>
              ) : (
                <Text className="tier-picker__price">{formatPriceFen(tier.priceFen)}</Text>
              )}
            </View>
          );
        })}
      </View>
      {selected?.available === false ? (
        <Text className="tier-picker__description tier-picker__description--busy tier-busy-note">
          服务繁忙，该套餐暂时无法下单，请稍后再试或选择其他套餐。不会扣款。
        </Text>
      ) : selected?.description ? (
        <Text className="tier-picker__description">{selected.description}</Text>
      ) : null}
    </View>
  );
}
