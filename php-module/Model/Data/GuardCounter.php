<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\GuardCounterInterface;

/**
 * One rule's refusal counter, built from a row of the counter table.
 */
final class GuardCounter implements GuardCounterInterface
{
    private readonly int $ruleId;
    private readonly string $ruleType;
    private readonly int $blocked;
    private readonly string $firstBlockedAt;
    private readonly string $lastBlockedAt;

    /**
     * @param array<string, mixed> $row
     */
    public function __construct(array $row)
    {
        $this->ruleId = (int) $row[self::KEY_RULE_ID];
        $this->ruleType = (string) $row[self::KEY_RULE_TYPE];
        $this->blocked = (int) $row[self::KEY_BLOCKED];
        $this->firstBlockedAt = (string) $row[self::KEY_FIRST_BLOCKED_AT];
        $this->lastBlockedAt = (string) $row[self::KEY_LAST_BLOCKED_AT];
    }

    /**
     * @return int
     */
    public function getRuleId(): int
    {
        return $this->ruleId;
    }

    /**
     * @return string
     */
    public function getRuleType(): string
    {
        return $this->ruleType;
    }

    /**
     * @return int
     */
    public function getBlocked(): int
    {
        return $this->blocked;
    }

    /**
     * @return string
     */
    public function getFirstBlockedAt(): string
    {
        return $this->firstBlockedAt;
    }

    /**
     * @return string
     */
    public function getLastBlockedAt(): string
    {
        return $this->lastBlockedAt;
    }
}
