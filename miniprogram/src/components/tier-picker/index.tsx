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

/** The tiers as a row of cards, one selectable at a time. */
export function TierPicker({ tiers, selectedId, onSelect }: TierPickerProps) {
  return (
    <View className="tier-picker">
      {tiers.map((tier) => {
        const selected = tier.id === selectedId;
        return (
          <View
            key={tier.id}
            className={`tier-picker__item tier-option${selected ? ' tier-picker__item--selected tier-option--selected' : ''}`}
            onClick={() => onSelect(tier.id)}
          >
            <View className="tier-picker__head">
              <Text className="tier-picker__title">{tier.title}</Text>
              <Text className="tier-picker__price">{formatPriceFen(tier.priceFen)}</Text>
            </View>
            <Text className="tier-picker__description">{tier.description}</Text>
          </View>
        );
      })}
    </View>
  );
}
