<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\GuardRuleInterface;
use MagentoIr\IncidentResponse\Api\Data\GuardRuleResultInterface;

/**
 * Outcome of adding a payment-guard rule.
 */
final class GuardRuleResult implements GuardRuleResultInterface
{
    public function __construct(
        private readonly int $actionId,
        private readonly bool $replayed,
        private readonly GuardRule $rule
    ) {
    }

    /**
     * Rebuilds the object from toArray() output (stored idempotent responses).
     *
     * @param array<string, mixed> $data
     */
    public static function fromArray(array $data): self
    {
        return new self(
            (int) $data[self::KEY_ACTION_ID],
            (bool) $data[self::KEY_REPLAYED],
            GuardRule::fromArray($data[self::KEY_RULE])
        );
    }

    /**
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        return [
            self::KEY_ACTION_ID => $this->actionId,
            self::KEY_REPLAYED => $this->replayed,
            self::KEY_RULE => $this->rule->toArray(),
        ];
    }

    /**
     * @return int
     */
    public function getActionId(): int
    {
        return $this->actionId;
    }

    /**
     * @return bool
     */
    public function isReplayed(): bool
    {
        return $this->replayed;
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardRuleInterface
     */
    public function getRule(): GuardRuleInterface
    {
        return $this->rule;
    }
}
