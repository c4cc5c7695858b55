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
 * description is shown once, in small text, under the row (the composer stays short).
 */
export function TierPicker({ tiers, selectedId, onSelect }: TierPickerProps) {
  const selected = tiers.find((tier) => tier.id === selectedId);
  return (
    <View className="tier-picker">
      <View className="tier-picker__row">
        {tiers.map((tier) => {
          const isSelected = tier.id === selectedId;
          return (
            <View
              key={tier.id}
              className={`tier-picker__item tier-option${isSelected ? ' tier-picker__item--selected tier-option--selected' : ''}`}
              onClick={() => onSelect(tier.id)}
            >
              <Text className="tier-picker__title">{tier.title}</Text>
              <Text className="tier-picker__price">{formatPriceFen(tier.priceFen)}</Text>
            </View>
          );
        })}
      </View>
      {selected?.description ? (
        <Text className="tier-picker__description">{selected.description}</Text>
      ) : null}
    </View>
  );
}
