/**
 * The Plans page's own strings in each language (issue 16). They travel in the page's lazy chunk rather than
 * in i18n/en.ts, which every first load carries (the budget of web/build.ts); the plan card and the period
 * buttons, which the dashboard shows, keep theirs in i18n/. usePlansT() translates both kinds of key.
 */
import { useApp, useT } from "../../app_context.ts";
import { fillPlaceholders, type Lang, type MessageKey } from "../../i18n/i18n.ts";

const EN = {
  plan_add: "Add a plan",
  plan_edit: "Edit",
  plan_edit_title: "Edit {name}",
  plan_delete: "Delete",
  plan_delete_confirm: "Delete {name} and its alert state?",
  plan_cancel: "Cancel",
  plan_save: "Save",
  plan_from_env: "Set by PLAN= in the environment: change it there",
  plan_empty:
    "No plan yet. A plan tracks a quota over a billing period, forecasts it and alerts before it runs out.",
  plan_failed: "Could not load the plans",
  plan_save_failed: "Could not save the plan",
  plan_delete_failed: "Could not delete the plan",
  plan_f_name: "Name",
  plan_f_counts: "Counts",
  plan_f_quota: "Quota",
  plan_quota_hint:
    "e.g. 1.2TB or 500GiB. TB and GB are decimal (10¹² bytes), as ISPs bill; TiB and GiB are binary (2⁴⁰). Empty: no cap",
  plan_f_period: "Period",
  plan_period_calendar: "Calendar month",
  plan_period_monthly: "Month from day",
  plan_period_every: "Every N days",
  plan_period_weekly: "Week from",
  plan_f_day: "Day (31: the month's last)",
  plan_f_days: "Days",
  plan_f_start: "From",
  plan_f_weekday: "Weekday",
  plan_f_device: "Device",
  plan_all_traffic: "All traffic",
  plan_f_alerts: "Alerts",
  plan_alerts_hint: "Shares of the quota and “forecast”, e.g. 80%, 100%, forecast. Empty: none",
  plan_periods: "Past periods",
  plan_periods_failed: "Could not load the past periods",
  plan_so_far: "so far",
  plan_over_by: "over by {value}",
  plan_p95: "95th percentile",
  plan_channels: "Alerts go to: {channels}",
  plan_no_channels: "No alert channel is set (webhook, ntfy or Telegram): alerts are only logged",
  plan_deliveries: "Alert deliveries",
  plan_deliveries_empty: "No alert has fired yet",
  plan_deliveries_failed: "Could not load the alert deliveries",
  plan_col_time: "Fired",
  plan_col_plan: "Plan",
  plan_col_alert: "Alert",
  plan_col_channel: "Channel",
  plan_col_state: "State",
  plan_col_attempts: "Attempts",
  plan_col_error: "Last error",
  plan_col_next: "Next try",
  plan_state_queued: "queued",
  plan_state_sent: "sent",
  plan_state_failed: "failed",
  plan_test: "test",
  plan_threshold_forecast: "forecast over quota",
} as const;

/** Name of one of the Plans page's strings. */
export type PlansMessageKey = keyof typeof EN;

type PlansMessages = { readonly [K in PlansMessageKey]: string };

const RU: PlansMessages = {
  plan_add: "Добавить тариф",
  plan_edit: "Изменить",
  plan_edit_title: "Изменить «{name}»",
  plan_delete: "Удалить",
  plan_delete_confirm: "Удалить «{name}» и состояние его оповещений?",
  plan_cancel: "Отмена",
  plan_save: "Сохранить",
  plan_from_env: "Задан в PLAN= в окружении: меняйте его там",
  plan_empty:
    "Тарифов пока нет. Тариф следит за лимитом в расчётном периоде, прогнозирует расход и предупреждает до его исчерпания.",
  plan_failed: "Не удалось загрузить тарифы",
  plan_save_failed: "Не удалось сохранить тариф",
  plan_delete_failed: "Не удалось удалить тариф",
  plan_f_name: "Название",
  plan_f_counts: "Что считать",
  plan_f_quota: "Лимит",
  plan_quota_hint:
    "например 1.2TB или 500GiB. TB и GB десятичные (10¹² байт), как считают провайдеры; TiB и GiB двоичные (2⁴⁰). Пусто — без лимита",
  plan_f_period: "Период",
  plan_period_calendar: "Календарный месяц",
  plan_period_monthly: "Месяц с числа",
  plan_period_every: "Каждые N дней",
  plan_period_weekly: "Неделя с",
  plan_f_day: "Число (31 — последнее в месяце)",
  plan_f_days: "Дней",
  plan_f_start: "Начиная с",
  plan_f_weekday: "День недели",
  plan_f_device: "Устройство",
  plan_all_traffic: "Весь трафик",
  plan_f_alerts: "Оповещения",
  plan_alerts_hint:
    "Доли лимита и «forecast» (прогноз выше лимита), например 80%, 100%, forecast. Пусто — без оповещений",
  plan_periods: "Прошлые периоды",
  plan_periods_failed: "Не удалось загрузить прошлые периоды",
  plan_so_far: "пока",
  plan_over_by: "превышение на {value}",
  plan_p95: "95-й перцентиль",
  plan_channels: "Оповещения уходят в: {channels}",
  plan_no_channels:
    "Канал оповещений не задан (webhook, ntfy или Telegram): оповещения только пишутся в журнал",
  plan_deliveries: "Доставка оповещений",
  plan_deliveries_empty: "Оповещений ещё не было",
  plan_deliveries_failed: "Не удалось загрузить доставку оповещений",
  plan_col_time: "Сработало",
  plan_col_plan: "Тариф",
  plan_col_alert: "Оповещение",
  plan_col_channel: "Канал",
  plan_col_state: "Состояние",
  plan_col_attempts: "Попыток",
  plan_col_error: "Последняя ошибка",
  plan_col_next: "Следующая попытка",
  plan_state_queued: "в очереди",
  plan_state_sent: "отправлено",
  plan_state_failed: "не доставлено",
  plan_test: "проверка",
  plan_threshold_forecast: "прогноз выше лимита",
};

const ZH_CN: PlansMessages = {
  plan_add: "添加套餐",
  plan_edit: "编辑",
  plan_edit_title: "编辑 {name}",
  plan_delete: "删除",
  plan_delete_confirm: "删除 {name} 及其告警状态？",
  plan_cancel: "取消",
  plan_save: "保存",
  plan_from_env: "由环境变量 PLAN= 设置：请在那里修改",
  plan_empty: "还没有套餐。套餐跟踪计费周期内的流量限额，预测用量，并在用尽前告警。",
  plan_failed: "无法加载套餐",
  plan_save_failed: "无法保存套餐",
  plan_delete_failed: "无法删除套餐",
  plan_f_name: "名称",
  plan_f_counts: "计量方向",
  plan_f_quota: "限额",
  plan_quota_hint:
    "例如 1.2TB 或 500GiB。TB、GB 为十进制（10¹² 字节），运营商按此计费；TiB、GiB 为二进制（2⁴⁰）。留空：无限额",
  plan_f_period: "周期",
  plan_period_calendar: "自然月",
  plan_period_monthly: "每月从某日开始",
  plan_period_every: "每 N 天",
  plan_period_weekly: "每周从某天开始",
  plan_f_day: "日期（31 表示月末）",
  plan_f_days: "天数",
  plan_f_start: "起始日期",
  plan_f_weekday: "星期",
  plan_f_device: "设备",
  plan_all_traffic: "全部流量",
  plan_f_alerts: "告警",
  plan_alerts_hint: "限额百分比和 “forecast”（预测超额），例如 80%, 100%, forecast。留空：不告警",
  plan_periods: "历史周期",
  plan_periods_failed: "无法加载历史周期",
  plan_so_far: "截至目前",
  plan_over_by: "超出 {value}",
  plan_p95: "第 95 百分位",
  plan_channels: "告警发送到：{channels}",
  plan_no_channels: "未设置告警渠道（webhook、ntfy 或 Telegram）：告警只写入日志",
  plan_deliveries: "告警投递",
  plan_deliveries_empty: "尚未触发告警",
  plan_deliveries_failed: "无法加载告警投递记录",
  plan_col_time: "触发时间",
  plan_col_plan: "套餐",
  plan_col_alert: "告警",
  plan_col_channel: "渠道",
  plan_col_state: "状态",
  plan_col_attempts: "尝试次数",
  plan_col_error: "最近错误",
  plan_col_next: "下次重试",
  plan_state_queued: "排队中",
  plan_state_sent: "已发送",
  plan_state_failed: "失败",
  plan_test: "测试",
  plan_threshold_forecast: "预计超额",
};

/** The page's strings by language. */
export const PLANS_MESSAGES: Readonly<Record<Lang, PlansMessages>> = { en: EN, ru: RU, "zh-CN": ZH_CN };

/** Like useT(), for the page's own keys and every key of i18n/. */
export function usePlansT(): (
  key: PlansMessageKey | MessageKey,
  values?: Readonly<Record<string, string | number>>,
) => string {
  const lang = useApp().prefs.lang.value;
  const t = useT();
  return (key, values) =>
    key in EN
      ? fillPlaceholders(PLANS_MESSAGES[lang][key as PlansMessageKey], values)
      : t(key as MessageKey, values);
}
