import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

const kPhaseColors: Record<string, string> = {
  received: 'blue', verifying: 'geekblue', dismissed: 'default', confirmed: 'purple', initial_response: 'magenta',
  response_chosen: 'orange', awaiting_approval: 'gold', containment: 'red', eradication: 'volcano', recovery: 'cyan',
  verification: 'lime', closing: 'green', closed: 'default',
};

export function PhaseTag(props: { phase: string }) {
  const { t } = useTranslation();
  return <Tag color={kPhaseColors[props.phase]} data-testid="phase">{t(`phase.${props.phase}`)}</Tag>;
}

export function SeriousTag(props: { serious: boolean }) {
  const { t } = useTranslation();
  return props.serious ? <Tag color="red">{t('incident.serious')}</Tag> : null;
}

export function DrillTag(props: { drill: boolean }) {
  const { t } = useTranslation();
  return props.drill ? <Tag color="purple">{t('incident.drill')}</Tag> : null;
}
