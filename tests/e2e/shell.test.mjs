// Browser end-to-end: a real Chromium signs in, switches language, adds a unit and a user,
// and finds both changes in the audit log. Screenshots of each step go to artifacts/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../integration/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, 'artifacts');
const chromiumPath = process.env.KHIEN_CHROMIUM ?? '/usr/bin/chromium';
const webDir = process.env.KHIEN_WEB_DIR ?? join(here, '../../web/dist');
const skip = !existsSync(chromiumPath) ? `no Chromium at ${chromiumPath}` : !existsSync(join(webDir, 'index.html')) ? `no built UI in ${webDir}` : false;

let server;
let browser;
let page;

before(async () => {
  if (skip) return;
  mkdirSync(artifacts, { recursive: true });
  server = await startServer({ webDir });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1366, height: 860 }, locale: 'vi-VN' });
  page.setDefaultTimeout(20_000);
});

after(async () => {
  await browser?.close();
  await server?.cleanup();
});

const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

test('an administrator signs in, switches language, adds a unit and a user, and sees both in the audit log', { skip }, async () => {
  await page.goto(server.url);
  await page.getByRole('button', { name: 'Đăng nhập' }).waitFor();
  await shot('01-login-vi');
  await page.getByLabel('Tên đăng nhập').fill(server.admin.username);
  await page.getByLabel('Mật khẩu').fill(server.admin.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByTestId('org-name').filter({ hasText: 'Sở Xây dựng Khánh Hòa' }).waitFor();
  await page.getByRole('menuitem', { name: 'Tổ chức' }).click();
  await page.getByRole('tree').waitFor();
  await shot('02-organizations-vi');

  await page.getByText('English', { exact: true }).first().click();
  await page.getByRole('menuitem', { name: 'Organisations' }).waitFor();
  await shot('03-organizations-en');
  await page.getByText('Tiếng Việt', { exact: true }).first().click();
  await page.getByRole('menuitem', { name: 'Tổ chức' }).waitFor();

  await page.getByRole('tree').getByText('Sở Xây dựng Khánh Hòa · Cơ quan, đơn vị').click();
  await page.getByRole('button', { name: 'Thêm đơn vị' }).click();
  const addUnit = page.getByRole('dialog');
  await addUnit.getByLabel('Tên', { exact: true }).fill('Phòng Công nghệ thông tin');
  await addUnit.getByLabel('Mã định danh').fill('phong-cntt');
  await shot('04-add-unit');
  await addUnit.getByRole('button', { name: 'Lưu' }).click();
  await page.getByRole('tree').getByText('Phòng Công nghệ thông tin · Đơn vị trực thuộc').waitFor();

  await page.getByRole('menuitem', { name: 'Người dùng' }).click();
  await page.getByRole('button', { name: 'Thêm người dùng' }).click();
  const addUser = page.getByRole('dialog');
  await addUser.getByLabel('Tên đăng nhập').fill('nguyen.van.an');
  await addUser.getByLabel('Họ và tên').fill('Nguyễn Văn An');
  // Open the organisation picker with a real click (waits until the dialog has stopped moving),
  // and pick the new unit from the dropdown that is actually shown.
  await addUser.locator('.ant-form-item').filter({ hasText: 'Tổ chức / đơn vị' }).locator('.ant-select-selector').click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-tree')
    .getByTitle('Phòng Công nghệ thông tin', { exact: true }).click();
  await addUser.getByLabel('Mật khẩu ban đầu').fill('An-Khanh-Hoa-2026!');
  await shot('05-add-user');
  await addUser.getByRole('button', { name: 'Lưu' }).click();
  const row = page.getByRole('row').filter({ hasText: 'nguyen.van.an' });
  await row.waitFor();
  assert.match(await row.innerText(), /Phòng Công nghệ thông tin/);
  await shot('06-users');

  await page.getByRole('menuitem', { name: 'Nhật ký kiểm toán' }).click();
  const userCreate = page.getByRole('row').filter({ hasText: 'user.create' }).filter({ hasText: 'admin' });
  await userCreate.first().waitFor();
  await page.getByRole('row').filter({ hasText: 'organization.create' }).filter({ hasText: 'admin' }).first().waitFor();
  await shot('07-audit');
  await userCreate.first().click();
  const drawer = page.locator('.ant-drawer-content');
  await drawer.getByText('Nội dung thay đổi').waitFor();
  await drawer.getByRole('cell', { name: '"nguyen.van.an"' }).waitFor();
  await shot('08-audit-entry');
});
