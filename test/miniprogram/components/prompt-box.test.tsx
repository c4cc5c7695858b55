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

  it('reports each edit through onChange and never cuts the text at the limit (no input maxlength)', () => {
    const onChange = jest.fn();
    render(<PromptBox value="" maxLength={10} onChange={onChange} />);
    const input = screen.getByPlaceholderText<HTMLTextAreaElement>('输入你的问题…');

    fireEvent.change(input, { target: { value: 'abc' } });

    expect(onChange).toHaveBeenCalledWith('abc');
    // WeChat's "no limit": a paste over the prompt limit is kept whole, not cut silently.
    expect(input.maxLength).toBe(-1);
  });

  it('keeps a value longer than the limit, shows the counter red and says by how much it is over', () => {
    render(<Controlled initial="abcdefgh" maxLength={5} />);
    expect(screen.getByText('8/5').className).toContain('prompt-box__counter--over');
    expect(screen.getByText('超出 3 字，删减后才能支付')).toBeTruthy();
    expect(screen.getByPlaceholderText<HTMLTextAreaElement>('输入你的问题…').value).toBe('abcdefgh');
  });

  it('counts characters as a person does: an emoji is one, not two UTF-16 units', () => {
    render(<Controlled initial={'😀'.repeat(3)} maxLength={3} />);
    expect(screen.getByText('3/3').className).not.toContain('prompt-box__counter--over');
    expect(screen.queryByText(/超出/)).toBeNull();
  });

  it('says why a prompt of only blanks cannot be paid for', () => {
    render(<Controlled initial={'  \n  '} />);
    expect(screen.getByText('问题只有空白，请输入内容后再支付')).toBeTruthy();
  });
});
