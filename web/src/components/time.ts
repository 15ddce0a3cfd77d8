import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';

dayjs.extend(utc);
dayjs.extend(timezone);

export const kZone = 'Asia/Ho_Chi_Minh';

// A time from the API (UTC) as the user reads it.
export function showTime(iso: string | null | undefined): string {
  return iso ? dayjs(iso).tz(kZone).format('DD/MM/YYYY HH:mm:ss') : '—';
}

// A duration as responders write it: "2h05", "3 ngày 4h10" (`day` is the localized word).
export function showDuration(seconds: number, day: string): string {
  const sign = seconds < 0 ? '−' : '';
  const s = Math.abs(seconds);
  const days = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const hm = `${h}h${String(m).padStart(2, '0')}`;
  return sign + (days ? `${days} ${day} ${hm}` : hm);
}
