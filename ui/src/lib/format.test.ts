import { afterEach, describe, expect, it } from 'vitest'
import { setLocale } from '../composables/useI18n'
import {
  formatClock,
  formatDateTime,
  formatDay,
  formatSince,
  formatTime,
  formatWhen,
  intlTag,
  isSameDay,
  timeAxisLabels,
} from './format'

afterEach(() => setLocale('en'))

// Local times, so that the expectations hold in any time zone.
const at = new Date(2025, 0, 3, 9, 5, 7).getTime()
const now = new Date(2025, 4, 20, 15, 0)

describe('dates and times', () => {
  it('uses Intl in the UI’s language', () => {
    expect(intlTag('en')).toBe('en')
    expect(intlTag('zh')).toBe('zh-CN')
  })

  it('writes a date and time with the month’s name in English, the 中文 way in Chinese', () => {
    expect(formatDateTime(at, 'en')).toBe('Jan 3, 2025, 09:05:07')
    expect(formatDateTime(at, 'zh')).toBe('2025年1月3日 09:05:07')
    expect(formatDateTime(at, 'en', false)).toBe('Jan 3, 2025, 09:05')
    expect(formatDateTime(at, 'zh', false)).toBe('2025年1月3日 09:05')
  })

  it('writes times of day on the 24-hour clock in both languages', () => {
    const evening = new Date(2025, 0, 3, 21, 30, 5).getTime()
    expect(formatClock(evening, 'en')).toBe('21:30')
    expect(formatClock(evening, 'zh')).toBe('21:30')
    expect(formatClock(evening, 'en', true)).toBe('21:30:05')
  })

  it('writes a day, with the year when asked', () => {
    expect(formatDay(at, 'en')).toBe('Jan 3')
    expect(formatDay(at, 'zh')).toBe('1月3日')
    expect(formatDay(at, 'en', true)).toBe('Jan 3, 2025')
    expect(formatDay(at, 'zh', true)).toBe('2025年1月3日')
  })

  it('says when a conversation changed: the time today, the day this year, the day and year before', () => {
    expect(formatWhen(new Date(2025, 4, 20, 9, 5).getTime(), 'en', now)).toBe('09:05')
    expect(formatWhen(at, 'en', now)).toBe('Jan 3')
    expect(formatWhen(at, 'zh', now)).toBe('1月3日')
    expect(formatWhen(new Date(2024, 11, 31).getTime(), 'en', now)).toBe('Dec 31, 2024')
    expect(formatWhen(new Date(2024, 11, 31).getTime(), 'zh', now)).toBe('2024年12月31日')
  })

  it('says since when the server is out of reach: the time today, else the day too', () => {
    expect(formatSince(new Date(2025, 4, 20, 14, 5, 33).getTime(), 'en', now)).toBe('14:05')
    expect(formatSince(new Date(2025, 4, 19, 23, 50).getTime(), 'en', now)).toBe('May 19 23:50')
    expect(formatSince(new Date(2025, 4, 19, 23, 50).getTime(), 'zh', now)).toBe('5月19日 23:50')
  })

  it('follows the UI’s language when none is given', () => {
    expect(formatTime(at)).toBe('Jan 3, 2025, 09:05:07')
    setLocale('zh')
    expect(formatTime(at)).toBe('2025年1月3日 09:05:07')
    expect(formatTime(at, false)).toBe('09:05:07')
    expect(formatTime(null)).toBe('不可用')
  })

  it('tells whether two times are on the same day', () => {
    expect(isSameDay(at, new Date(2025, 0, 3, 23, 59).getTime())).toBe(true)
    expect(isSameDay(at, new Date(2025, 0, 4, 0, 1).getTime())).toBe(false)
  })
})

describe('timeAxisLabels', () => {
  const s = (d: Date) => d.getTime() / 1000

  it('labels ticks within a day with the time, and the day under the first tick and where it changes', () => {
    const ticks = [s(new Date(2025, 4, 19, 22, 0)), s(new Date(2025, 4, 19, 23, 0)), s(new Date(2025, 4, 20, 0, 0)), s(new Date(2025, 4, 20, 1, 0))]
    expect(timeAxisLabels(ticks, 3600, 'en', now)).toEqual(['22:00\nMay 19', '23:00', '00:00\nMay 20', '01:00'])
    expect(timeAxisLabels(ticks, 3600, 'zh', now)).toEqual(['22:00\n5月19日', '23:00', '00:00\n5月20日', '01:00'])
  })

  it('shows seconds when ticks are less than a minute apart', () => {
    const ticks = [s(new Date(2025, 4, 20, 9, 0, 0)), s(new Date(2025, 4, 20, 9, 0, 30))]
    expect(timeAxisLabels(ticks, 30, 'en', now)).toEqual(['09:00:00\nMay 20', '09:00:30'])
  })

  it('labels ticks a day or more apart with the day, and a month or more apart with the month', () => {
    const days = [s(new Date(2025, 4, 18)), s(new Date(2025, 4, 19))]
    expect(timeAxisLabels(days, 86_400, 'en', now)).toEqual(['May 18', 'May 19'])
    expect(timeAxisLabels(days, 86_400, 'zh', now)).toEqual(['5月18日', '5月19日'])
    expect(timeAxisLabels([s(new Date(2024, 11, 31))], 86_400, 'en', now)).toEqual(['Dec 31, 2024'])
    expect(timeAxisLabels([s(new Date(2025, 0, 1))], 30 * 86_400, 'zh', now)).toEqual(['2025年1月'])
  })

  it('leaves gaps empty', () => {
    expect(timeAxisLabels([null], 3600, 'en', now)).toEqual([''])
  })
})
