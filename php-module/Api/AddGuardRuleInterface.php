<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Adds one payment-guard rule, applied to every order placement from the next request on.
 *
 * @api
 */
interface AddGuardRuleInterface
{
    /**
     * Runs the use case.
     *
     * @param string $type ip, email, customer, bin, freeze or velocity.
     * @param string $reason Why the responder acts; stored in the action log (1-255 characters).
     * @param string[] $values IPs or CIDRs, e-mails, customer ids, BINs (6-8 digits) or payment method codes.
     * @param string|null $subject Velocity: ip, email, customer or quote.
     * @param string|null $metric Velocity: orders or failures.
     * @param int $limit Velocity: attempts allowed per subject and window (1-100000).
     * @param int $window Velocity: sliding window in seconds (60-86400).
     * @param int $ttl Seconds until the rule lapses by itself (0 = until removed; at most 30 days).
     * @param string|null $incidentId Incident identifier stored in the action log and on the rule.
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardRuleResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\CouldNotSaveException
     */
    public function execute(
        string $type,
        string $reason,
        array $values = [],
        ?string $subject = null,
        ?string $metric = null,
        int $limit = 0,
        int $window = 0,
        int $ttl = 0,
        ?string $incidentId = null
    ): \MagentoIr\IncidentResponse\Api\Data\GuardRuleResultInterface;
}
