// Browser end-to-end: a staff member reports an incident; a responder verifies, classifies and
// walks it through the response (with one loop back when the system is not stable); the
// security officer closes it. Screenshots of each step go to artifacts/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createHash } from 'node:crypto';
import { PASSWORD, addUser, startServer } from '../integration/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, 'artifacts');
const chromiumPath = process.env.KHIEN_CHROMIUM ?? '/usr/bin/chromium';
const webDir = process.env.KHIEN_WEB_DIR ?? join(here, '../../web/dist');
const skip = !existsSync(chromiumPath) ? `no Chromium at ${chromiumPath}` : !existsSync(join(webDir, 'index.html')) ? `no built UI in ${webDir}` : false;

let server;
let browser;

before(async () => {
  if (skip) return;
  mkdirSync(artifacts, { recursive: true });
  server = await startServer({ webDir });
  addUser(server.dataDir, 'phong-quan-ly-xay-dung', 'nhan.vien', 'viewer');
  addUser(server.dataDir, 'so-xay-dung-khanh-hoa', 'ung.cuu.vien', 'responder');
  addUser(server.dataDir, 'van-phong-so', 'can.bo.chuyen.trach', 'security-officer');
  addUser(server.dataDir, 'so-tttt-khanh-hoa', 'dieu.phoi', 'responder');
  addUser(server.dataDir, 'vncert', 'chuyen.gia', 'responder');
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await server?.cleanup();
});

let current;  // the page in use, for a screenshot when a step fails
async function signIn(username) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  current = page;
  page.setDefaultTimeout(20_000);
  await page.goto(server.url);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('menuitem', { name: 'Sự cố' }).waitFor();
  return page;
}

const shot = (page, name) => page.screenshot({ path: join(artifacts, `incident-${name}.png`), fullPage: true });

// Picks an option of an Ant Design select inside `scope`, found by its form label.
// Checks that the option was taken (a click on a dropdown still opening can miss under load)
// and tries again if not.
async function pick(page, scope, label, option) {
  const item = scope.locator('.ant-form-item').filter({ hasText: label });
  for (let attempt = 0; attempt < 3; attempt++) {
    await item.locator('.ant-select-selector').first().click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').getByTitle(option, { exact: false }).first().click();
    try {
      await item.locator('.ant-select-selection-item').filter({ hasText: option }).first().waitFor({ timeout: 3000 });
      return;
    } catch {
      await page.keyboard.press('Escape');
    }
  }
  throw new Error(`${label}: ${option} could not be picked`);
}

// Opens a tab of the incident page and waits until it is the one shown.
async function openTab(page, name) {
  const tab = page.getByRole('tab', { name, exact: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    await tab.click();
    try {
      await page.locator('.ant-tabs-tab-active').filter({ hasText: name }).waitFor({ timeout: 2000 });
      return;
    } catch {
      // the tab bar was still moving; click again
    }
  }
  throw new Error(`tab ${name} did not open`);
}

// Takes a workflow step from the incident page and waits for the phase it leads to.
async function step(page, name, phase, reason) {
  await page.getByRole('button', { name, exact: true }).click();
  const dialog = page.getByRole('dialog');
  if (reason) await dialog.getByLabel('Lý do').fill(reason);
  const reached = page.locator('.ant-card-head').getByTestId('phase').filter({ hasText: phase });
  // Under CI load a save was once lost, the dialog left open with nothing said (seen once):
  // as a person would, save again while the dialog stays open.
  for (let attempt = 0; ; attempt++) {
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    try {
      await reached.waitFor({ timeout: 5000 });
      break;
    } catch (err) {
      if (attempt >= 3 || !(await dialog.isVisible())) throw err;
    }
  }
  await dialog.waitFor({ state: 'hidden' });
}

test('a reported incident is walked from the report to closed in the browser', { skip }, async () => {
  try {
    await walk();
  } catch (err) {
    await current?.screenshot({ path: join(artifacts, 'incident-failure.png'), fullPage: true }).catch(() => {});
    throw err;
  }
});

async function walk() {
  // A staff member reports what they saw.
  const staff = await signIn('nhan.vien');
  await staff.getByRole('button', { name: 'Báo cáo sự cố' }).click();
  const report = staff.getByRole('dialog');
  await report.getByLabel('Tiêu đề').fill('Trang thông tin điện tử của Sở bị thay đổi giao diện');
  await report.getByLabel('Mô tả').fill('Trang chủ hiện hình ảnh và khẩu hiệu lạ từ 7 giờ sáng.');
  await report.getByLabel('Liên hệ của người báo cáo').fill('0258 3822 001');
  await shot(staff, '01-report');
  await report.getByRole('button', { name: 'Lưu' }).click();
  await staff.getByTestId('incident-title').filter({ hasText: 'bị thay đổi giao diện' }).waitFor();
  await staff.getByText('Không có bước nào bạn có thể thực hiện').waitFor();
  await staff.context().close();

  // The responder finds it, verifies and classifies it.
  const responder = await signIn('ung.cuu.vien');
  await responder.getByRole('row').filter({ hasText: 'bị thay đổi giao diện' }).click();
  await responder.getByTestId('incident-title').waitFor();
  await shot(responder, '02-received');
  await step(responder, 'Bắt đầu xác minh', 'Đang xác minh');

  const classification = responder.locator('.ant-tabs-tabpane-active');
  await pick(responder, classification, 'Kịch bản', 'Thay đổi giao diện');
  await pick(responder, classification, 'Mức độ', 'Cao');
  await classification.getByRole('button', { name: 'Lưu' }).click();
  await responder.getByText('Đã lưu').first().waitFor();
  await shot(responder, '03-classified');

  await step(responder, 'Xác nhận sự cố', 'Đã xác nhận');
  await step(responder, 'Triển khai ứng cứu ban đầu', 'Ứng cứu ban đầu');
  await responder.getByRole('button', { name: 'Chọn phương án ứng cứu', exact: true }).click();
  await responder.getByRole('dialog').getByLabel('Phương án ứng cứu').fill('Chuyển trang sang chế độ bảo trì, khôi phục từ bản sao lưu');
  await responder.getByRole('dialog').getByRole('button', { name: 'Lưu' }).click();
  await responder.locator('.ant-card-head').getByTestId('phase').filter({ hasText: 'Đã chọn phương án' }).waitFor();

  // The playbook's tasks are there; one is done.
  await openTab(responder, 'Nhiệm vụ');
  const firstTask = responder.locator('.ant-tabs-tabpane-active .ant-table-row').first();
  await firstTask.waitFor();
  await firstTask.locator('.ant-select').last().locator('.ant-select-selector').click();  // status (the first is the assignee)
  await responder.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').getByTitle('Đã xong').click();
  await firstTask.getByTitle('Đã xong').waitFor();
  await shot(responder, '04-tasks');

  // An observable entered defanged is kept in its canonical form.
  await openTab(responder, 'Dấu hiệu (IOC)');
  const observables = responder.locator('.ant-tabs-tabpane-active');
  await pick(responder, observables, 'Loại', 'URL');
  await observables.getByLabel('Giá trị').fill('hxxp://Deface-Kit[.]example/shell.php');
  await observables.getByRole('button', { name: 'Thêm' }).click();
  await observables.getByText('http://deface-kit.example/shell.php', { exact: true }).waitFor();
  await shot(responder, '04b-observables');

  // Evidence: a file with its collector; the chain of custody starts.
  await openTab(responder, 'Chứng cứ');
  const evidence = responder.locator('.ant-tabs-tabpane-active');
  await evidence.locator('input[type=file]').setInputFiles({ name: 'index-defaced.html', mimeType: 'text/html', buffer: Buffer.from('<h1>hacked</h1>') });
  await evidence.getByLabel('Người thu thập').fill('Lê Văn Cường');
  await evidence.getByLabel('Thu thập từ').fill('Máy chủ web 10.10.1.5');
  await evidence.getByRole('button', { name: 'Tải lên' }).click();
  await evidence.getByRole('link', { name: 'index-defaced.html' }).waitFor();
  await evidence.getByText('SHA-256 ' + createHash('sha256').update('<h1>hacked</h1>').digest('hex').slice(0, 16)).waitFor();
  await shot(responder, '04c-evidence');

  await step(responder, 'Triển khai ngăn chặn', 'Ngăn chặn');
  await step(responder, 'Xử lý, gỡ bỏ', 'Xử lý, gỡ bỏ');
  await step(responder, 'Khôi phục', 'Khôi phục');
  await step(responder, 'Kiểm tra, đánh giá hệ thống', 'Kiểm tra, đánh giá');
  await step(responder, 'Chưa ổn định: quay lại ngăn chặn', 'Ngăn chặn', 'Web shell còn trong thư mục uploads');
  await step(responder, 'Xử lý, gỡ bỏ', 'Xử lý, gỡ bỏ');
  await step(responder, 'Khôi phục', 'Khôi phục');
  await step(responder, 'Kiểm tra, đánh giá hệ thống', 'Kiểm tra, đánh giá');
  await step(responder, 'Hệ thống ổn định', 'Tổng kết');

  await openTab(responder, 'Phân loại');
  const summing = responder.locator('.ant-tabs-tabpane-active');
  await summing.getByLabel('Nguyên nhân gốc').fill('Plugin tải tệp của CMS chưa vá lỗ hổng');
  await summing.getByLabel('Bài học kinh nghiệm').fill('Cập nhật CMS hằng tháng; giám sát thay đổi tệp trên máy chủ web');
  await summing.getByRole('button', { name: 'Lưu' }).click();
  await responder.getByText('Đã lưu').first().waitFor();
  await openTab(responder, 'Lịch sử');
  await responder.getByText('Số lần quay lại ngăn chặn: 1').waitFor();
  await shot(responder, '05-history');
  await responder.context().close();

  // The security officer closes it.
  const officer = await signIn('can.bo.chuyen.trach');
  await officer.getByRole('row').filter({ hasText: 'bị thay đổi giao diện' }).click();
  await openTab(officer, 'Thông báo, báo cáo');
  await officer.getByTestId('obligation-incident-notification').waitFor();
  await shot(officer, '06-obligations');

  // The officer shares it with the provincial coordinator, who then finds it in its own list.
  await openTab(officer, 'Chia sẻ, phát ngôn');
  const sharing = officer.locator('.ant-tabs-tabpane-active');
  await pick(officer, sharing, 'Cơ quan, tổ chức', 'Sở Thông tin và Truyền thông Khánh Hòa');
  await sharing.getByRole('button', { name: 'Chia sẻ', exact: true }).click();
  await sharing.getByText('Đang chia sẻ').waitFor();
  await shot(officer, '07-shared');
  const coordinator = await signIn('dieu.phoi');
  await coordinator.getByRole('row').filter({ hasText: 'bị thay đổi giao diện' }).filter({ hasText: 'Sở Xây dựng Khánh Hòa' }).click();
  await coordinator.getByText('Sự cố được chia sẻ bởi Sở Xây dựng Khánh Hòa').waitFor();
  await shot(coordinator, '08-coordinator');
  await coordinator.context().close();

  // The officer asks VNCERT/CC for support; its expert accepts, comments, joins the team and is given a task.
  current = officer;
  await openTab(officer, 'Đội ứng cứu & hỗ trợ');
  const team = officer.locator('.ant-tabs-tabpane-active');
  await pick(officer, team, 'Gửi tới', 'VNCERT/CC');
  await pick(officer, team, 'Nội dung cần hỗ trợ', 'Điều tra số');
  await officer.keyboard.press('Escape');
  await team.getByLabel('Mô tả đề nghị').fill('Đề nghị hỗ trợ điều tra nguồn gốc tấn công thay đổi giao diện');
  await team.getByRole('button', { name: 'Gửi đề nghị hỗ trợ' }).click();
  await team.getByText('Chờ phản hồi').waitFor();
  const expert = await signIn('chuyen.gia');
  await expert.getByRole('row').filter({ hasText: 'bị thay đổi giao diện' }).click();
  await openTab(expert, 'Đội ứng cứu & hỗ trợ');
  await expert.getByRole('button', { name: 'Nhận hỗ trợ' }).click();
  await expert.getByRole('dialog').getByLabel('Phản hồi').fill('Cử 01 chuyên gia phân tích nhật ký máy chủ web');
  await expert.getByRole('dialog').getByRole('button', { name: 'Lưu' }).click();
  await expert.locator('.ant-tabs-tabpane-active').getByText('Đã nhận hỗ trợ').waitFor();
  await openTab(expert, 'Trao đổi');
  await expert.locator('.ant-tabs-tabpane-active').getByLabel('Ý kiến').fill('Nhật ký cho thấy tải tệp qua plugin upload lúc 02:14');
  await expert.getByRole('button', { name: 'Gửi', exact: true }).click();
  await expert.getByText('Nhật ký cho thấy tải tệp qua plugin upload lúc 02:14').waitFor();
  await shot(expert, '08b-expert');
  await expert.context().close();
  current = officer;
  await officer.reload();
  await openTab(officer, 'Đội ứng cứu & hỗ trợ');
  await officer.locator('.ant-tabs-tabpane-active').getByText('Đã nhận hỗ trợ').waitFor();
  await pick(officer, officer.locator('.ant-tabs-tabpane-active'), 'Người', 'chuyen.gia');
  await pick(officer, officer.locator('.ant-tabs-tabpane-active'), 'Vai trò', 'Chuyên gia');
  await officer.getByRole('button', { name: 'Thêm thành viên' }).click();
  await officer.locator('.ant-tabs-tabpane-active').getByRole('cell', { name: 'chuyen.gia', exact: true }).waitFor();
  await shot(officer, '08c-team');
  await openTab(officer, 'Trao đổi');
  await officer.getByText('Nhật ký cho thấy tải tệp qua plugin upload lúc 02:14').waitFor();
  await openTab(officer, 'Nhiệm vụ');
  const task = officer.locator('.ant-tabs-tabpane-active .ant-table-row').nth(1);
  await task.locator('.ant-select').first().locator('.ant-select-selector').click();
  await officer.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').getByTitle('chuyen.gia', { exact: false }).click();
  await task.getByTitle('chuyen.gia', { exact: false }).waitFor();
  await shot(officer, '08d-assigned');

  await step(officer, 'Đóng sự cố', 'Đã đóng');
  assert.equal(await officer.getByRole('button', { name: 'Mở lại' }).count(), 1);
  await shot(officer, '09-closed');

  // A follow-up action outlives the incident and shows on the dashboard with the figures.
  await openTab(officer, 'Kiến nghị, khắc phục');
  const followups = officer.locator('.ant-tabs-tabpane-active');
  await followups.getByLabel('Việc cần làm').fill('Rà soát, cập nhật toàn bộ plugin CMS hằng tháng');
  await pick(officer, followups, 'Người chịu trách nhiệm', 'can.bo.chuyen.trach');
  await followups.getByRole('button', { name: 'Thêm' }).click();
  await followups.getByRole('cell', { name: 'Rà soát, cập nhật toàn bộ plugin CMS hằng tháng', exact: true }).first().waitFor();
  await officer.getByRole('menuitem', { name: 'Tổng quan' }).click();
  await officer.getByRole('img', { name: 'Theo kịch bản' }).locator('canvas').waitFor();
  await officer.getByRole('cell', { name: 'Rà soát, cập nhật toàn bộ plugin CMS hằng tháng', exact: true }).first().waitFor();
  await shot(officer, '10-dashboard');
  await officer.context().close();
}
