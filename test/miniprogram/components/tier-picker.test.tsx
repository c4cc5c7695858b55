import { fireEvent, render, screen } from '@testing-library/react';
import { TierPicker } from '../../../miniprogram/src/components/tier-picker';
import type { Tier } from '../../../miniprogram/src/types/tier';

const tiers: Tier[] = [
  { id: 'basic', title: '基础', priceFen: 50, description: '快速回答', available: true },
  { id: 'pro', title: '专业', priceFen: 1990, description: '更强的模型', available: true },
];

describe('TierPicker', () => {
  it('shows every tier with its title and formatted price, and the selected tier’s description once', () => {
    const { rerender } = render(<TierPicker tiers={tiers} selectedId="basic" onSelect={() => undefined} />);

    expect(screen.getByText('基础')).toBeTruthy();
    expect(screen.getByText('¥0.50')).toBeTruthy();
    expect(screen.getByText('专业')).toBeTruthy();
    expect(screen.getByText('¥19.90')).toBeTruthy();
    // One line per card: the description is under the row, for the selected tier only.
    expect(screen.getByText('快速回答')).toBeTruthy();
    expect(screen.queryByText('更强的模型')).toBeNull();
    expect(document.querySelector('.tier-option .tier-picker__description')).toBeNull();

    rerender(<TierPicker tiers={tiers} selectedId="pro" onSelect={() => undefined} />);
    expect(screen.getByText('更强的模型')).toBeTruthy();
    expect(screen.queryByText('快速回答')).toBeNull();

    rerender(<TierPicker tiers={tiers} selectedId={undefined} onSelect={() => undefined} />);
    expect(document.querySelector('.tier-picker__description')).toBeNull();
  });

  it('calls onSelect with the id of the tapped tier', () => {
    const onSelect = jest.fn();
    render(<TierPicker tiers={tiers} selectedId={undefined} onSelect={onSelect} />);

    fireEvent.click(screen.getByText('专业'));

    expect(onSelect).toHaveBeenCalledTimes(1);
    expect(onSelect).toHaveBeenCalledWith('pro');
  });

  it('marks only the selected tier as selected', () => {
    const { container } = render(<TierPicker tiers={tiers} selectedId="basic" onSelect={() => undefined} />);

    const selected = container.querySelectorAll('.tier-picker__item--selected');
    expect(selected).toHaveLength(1);
    expect(selected[0]?.textContent).toContain('基础');
  });

  it('greys a tier that cannot take orders now, says why when it is chosen, and shows no price to pay', () => {
    const busy: Tier[] = [tiers[0]!, { ...tiers[1]!, available: false }];
    render(<TierPicker tiers={busy} selectedId="pro" onSelect={() => undefined} />);

    const options = document.querySelectorAll('.tier-option');
    expect(options[1]?.className).toContain('tier-option--unavailable');
    expect(options[0]?.className).not.toContain('tier-option--unavailable');
    expect(options[1]?.textContent).toBe('专业繁忙');
    expect(screen.getByText(/服务繁忙，该套餐暂时无法下单/)).toBeTruthy();
    expect(screen.queryByText('更强的模型')).toBeNull();
  });
});
