<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Action;

/**
 * What an operation changed: the state before (for the log) and the response body (snake_case wire keys).
 */
final class ActionOutcome
{
    /**
     * @param mixed $priorState recorded in the action log
     * @param array<string, mixed> $result response body without action_id and replayed
     * @param list<callable(): void> $afterCommit cache cleaning that must only follow a committed change
     */
    public function __construct(
        public readonly mixed $priorState,
        public readonly array $result,
        public readonly array $afterCommit = []
    ) {
    }
}
