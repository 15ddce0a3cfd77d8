import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { api, type Me } from '../api/client';
import { setLanguage, type Language } from '../i18n';
import { showError } from './formErrors';

// Switches the language; when signed in, the choice is kept on the user's account.
export function LanguageSwitch(props: { signedIn: boolean }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const change = async (lang: Language) => {
    setLanguage(lang);
    if (!props.signedIn) return;
    try {
      const me = await api<Me>('PATCH', '/api/v1/me', { locale: lang });
      qc.setQueryData(['me'], me);
    } catch (err) {
      showError(err);
    }
  };
  return (
    <Segmented
      aria-label={t('common.language')}
      value={i18n.language === 'en' ? 'en' : 'vi'}
      options={[
        { label: t('language.vi'), value: 'vi' },
        { label: t('language.en'), value: 'en' },
      ]}
      onChange={(v) => void change(v as Language)}
    />
  );
}
