import { Alert, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

// Shows a secret (token, temporary password) that the server will never show again.
export function SecretOnce(props: { title: string; secret: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal open={props.secret !== null} title={props.title} onOk={props.onClose} onCancel={props.onClose}
      okText={t('common.done')} cancelButtonProps={{ style: { display: 'none' } }}>
      <Alert type="warning" showIcon message={t('common.shownOnce')} style={{ marginBottom: 12 }} />
      <Typography.Paragraph copyable={{ text: props.secret ?? '' }} code data-testid="secret-once">
        {props.secret}
      </Typography.Paragraph>
    </Modal>
  );
}
