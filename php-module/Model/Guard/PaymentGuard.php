<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Guard;

use Magento\Framework\Phrase;
use Magento\Framework\Stdlib\DateTime\DateTime;
use Psr\Log\LoggerInterface;

/**
 * Applies the rules to one order placement, and counts its outcome for velocity rules.
 *
 * The guard fails open: if its own tables cannot be read, the order goes on and the error is logged
 * (a broken guard must not close the shop; capabilities and the rules route show it is broken).
 */
final class PaymentGuard
{
    public const BLOCKED_MESSAGE = 'We cannot place this order right now. Please contact us if the problem continues.';
    public const FROZEN_MESSAGE = 'This payment method is temporarily unavailable. Choose another payment method.';

    public function __construct(
        private readonly GuardStore $store,
        private readonly DateTime $dateTime,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * @throws OrderBlockedException when a rule refuses the attempt (counted and logged first)
     */
    public function check(Attempt $attempt): void
    {
        try {
            $now = (int) $this->dateTime->gmtTimestamp();
            $rule = self::firstMatch(
                $this->store->rules(gmdate('Y-m-d H:i:s', $now)),
                $attempt,
                fn (string $subject, string|int $value, string $outcome, int $window): int =>
                    $this->store->countEvents($subject, $value, $outcome, gmdate('Y-m-d H:i:s', $now - $window))
            );
            if ($rule === null) {
                return;
            }
            $at = gmdate('Y-m-d H:i:s', $now);
            $this->store->recordBlock((int) $rule['rule_id'], (string) $rule['type'], $attempt, $at);
        } catch (\Throwable $exception) {
            $this->logger->critical('MagentoIr payment guard could not check an order: ' . $exception->getMessage());
            return;
        }
        throw new OrderBlockedException(new Phrase(
            $rule['type'] === 'freeze' ? self::FROZEN_MESSAGE : self::BLOCKED_MESSAGE
        ));
    }

    /**
     * Counts the outcome ("order" or "failure") for velocity rules; never fails the order.
     */
    public function record(Attempt $attempt, string $outcome): void
    {
        try {
            $this->store->recordEvent($outcome, $attempt, $this->dateTime->gmtDate('Y-m-d H:i:s'));
        } catch (\Throwable $exception) {
            $this->logger->critical('MagentoIr payment guard could not count an order: ' . $exception->getMessage());
        }
    }

    /**
     * The first rule (in rule order, block lists before velocity) that refuses the attempt.
     *
     * @param list<array<string, mixed>> $rules rows of the rule table
     * @param callable(string, string|int, string, int): int $count events of a subject in the last window
     * @return array<string, mixed>|null
     */
    public static function firstMatch(array $rules, Attempt $attempt, callable $count): ?array
    {
        $velocity = [];
        foreach ($rules as $rule) {
            if ($rule['type'] === 'velocity') {
                $velocity[] = $rule;
                continue;
            }
            $values = json_decode((string) $rule['rule_values'], true, 4, JSON_THROW_ON_ERROR);
            foreach ($values as $value) {
                if (self::matches((string) $rule['type'], (string) $value, $attempt)) {
                    return $rule;
                }
            }
        }
        foreach ($velocity as $rule) {
            $value = $attempt->subject((string) $rule['subject']);
            if ($value === null || $value === '') {
                continue;
            }
            $outcome = $rule['metric'] === 'orders' ? 'order' : 'failure';
            $seen = $count((string) $rule['subject'], $value, $outcome, (int) $rule['window_seconds']);
            if ($seen >= (int) $rule['max_count']) {
                return $rule;
            }
        }
        return null;
    }

    private static function matches(string $type, string $value, Attempt $attempt): bool
    {
        return match ($type) {
            'ip' => $attempt->ip !== null && IpRange::contains($value, $attempt->ip),
            'email' => $attempt->email !== null && $attempt->email === $value,
            'customer' => $attempt->customerId !== null && (string) $attempt->customerId === $value,
            'bin' => $attempt->cardPrefix !== null && strlen($attempt->cardPrefix) >= strlen($value)
                && str_starts_with($attempt->cardPrefix, $value),
            'freeze' => $attempt->method !== null && $attempt->method === $value,
            default => false,
        };
    }
}
