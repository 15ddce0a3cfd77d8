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
