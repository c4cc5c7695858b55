import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { PromptBox } from '../../../miniprogram/src/components/prompt-box';

function Controlled({ initial = '', maxLength = 2000 }: { initial?: string; maxLength?: number }) {
  const [value, setValue] = useState(initial);
  return <PromptBox value={value} maxLength={maxLength} onChange={setValue} />;
}

describe('PromptBox', () => {
  it('counts characters against the limit as the user types', () => {
    render(<Controlled />);
    expect(screen.getByText('0/2000')).toBeTruthy();

    fireEvent.change(screen.getByPlaceholderText('输入你的问题…'), { target: { value: '你好，世界' } });

    expect(screen.getByText('5/2000')).toBeTruthy();
    expect(screen.queryByText('0/2000')).toBeNull();
  });

  it('reports each edit through onChange and caps input at maxLength', () => {
    const onChange = jest.fn();
    render(<PromptBox value="" maxLength={10} onChange={onChange} />);
    const input = screen.getByPlaceholderText<HTMLTextAreaElement>('输入你的问题…');

    fireEvent.change(input, { target: { value: 'abc' } });

    expect(onChange).toHaveBeenCalledWith('abc');
    expect(input.maxLength).toBe(10);
  });

  it('flags a value longer than the limit', () => {
    render(<Controlled initial="abcdef" maxLength={5} />);
    expect(screen.getByText('6/5').className).toContain('prompt-box__counter--over');
  });
});
