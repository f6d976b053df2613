"""Delivery channels (issue 13, item 4): one interface, `send(message) -> Receipt`.

Each channel speaks one service's documented protocol (ir-formats.md sections 1, 2 and 8) and
keeps its secret (password, routing key, token, webhook URL) out of reprs, logs and errors:

    SmtpChannel            e-mail, STARTTLS + AUTH, reused connection, per-recipient Message-ID
    PagerDutyChannel       Events API v2 trigger / acknowledge / resolve, dedup_key per incident
    ServiceNowChannel      Table API `incident` / `sn_si_incident`, found by correlation_id
    SlackChannel           Web API chat.postMessage with Block Kit
    SlackWebhookChannel    Slack incoming webhook with Block Kit
    TeamsWorkflowChannel   Teams Workflows webhook with an Adaptive Card
    SignedWebhookChannel   any HTTPS receiver, HMAC-SHA256 signed (verify_signature)
"""

from magento_ir.notify.channels._base import (
    SEVERITIES,
    Channel,
    DeliveryError,
    DeliveryGuard,
    Message,
    Receipt,
    RetryPolicy,
    Severity,
    active_guard,
    guarded_delivery,
)
from magento_ir.notify.channels.chat import (
    SlackChannel,
    SlackWebhookChannel,
    TeamsWorkflowChannel,
    adaptive_card,
    slack_blocks,
)
from magento_ir.notify.channels.pagerduty import PagerDutyChannel, dedup_key
from magento_ir.notify.channels.servicenow import ServiceNowChannel
from magento_ir.notify.channels.smtp import (
    AmbiguousDeliveryError,
    RateLimiter,
    RecipientRefusedError,
    SmtpChannel,
    build_email,
    message_id,
)
from magento_ir.notify.channels.webhook import SignedWebhookChannel, sign, verify_signature

__all__ = [
    "SEVERITIES",
    "AmbiguousDeliveryError",
    "Channel",
    "DeliveryError",
    "DeliveryGuard",
    "Message",
    "PagerDutyChannel",
    "RateLimiter",
    "Receipt",
    "RecipientRefusedError",
    "RetryPolicy",
    "ServiceNowChannel",
    "Severity",
    "SignedWebhookChannel",
    "SlackChannel",
    "SlackWebhookChannel",
    "SmtpChannel",
    "TeamsWorkflowChannel",
    "active_guard",
    "adaptive_card",
    "build_email",
    "dedup_key",
    "guarded_delivery",
    "message_id",
    "sign",
    "slack_blocks",
    "verify_signature",
]
