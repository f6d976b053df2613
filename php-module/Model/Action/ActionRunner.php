<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Action;

use Magento\Authorization\Model\UserContextInterface;
use Magento\Framework\App\ResourceConnection;
use MagentoIr\IncidentResponse\Model\ActionLog\ActionLogWriter;
use MagentoIr\IncidentResponse\Model\Idempotency\IdempotencyKeyReader;
use MagentoIr\IncidentResponse\Model\Idempotency\IdempotencyStore;

/**
 * Runs one containment write: idempotency, one database transaction, and an action-log record either way.
 */
final class ActionRunner
{
    public function __construct(
        private readonly ResourceConnection $resource,
        private readonly UserContextInterface $userContext,
        private readonly IdempotencyKeyReader $keyReader,
        private readonly IdempotencyStore $idempotencyStore,
        private readonly ActionLogWriter $actionLog
    ) {
    }

    public function caller(): Caller
    {
        return Caller::fromUserContext($this->userContext);
    }

    /**
     * Applies $operation once per idempotency key and returns the response body with action_id and replayed.
     *
     * @param array<string, mixed> $request the validated service parameters, as logged
     * @param callable(Caller): ActionOutcome $operation makes the change; runs inside a transaction
     * @return array<string, mixed>
     */
    public function run(
        string $action,
        string $reason,
        ?string $incidentId,
        array $request,
        callable $operation
    ): array {
        $caller = $this->caller();
        $key = $this->keyReader->read();
        if ($key !== null) {
            $requestHash = hash('sha256', $action . "\n" . json_encode($request, JSON_THROW_ON_ERROR));
            $stored = $this->idempotencyStore->reserve($key, $action, $requestHash);
            if ($stored !== null) {
                return ['replayed' => true] + $stored;
            }
        }
        $connection = $this->resource->getConnection();
        $connection->beginTransaction();
        try {
            $outcome = $operation($caller);
            $actionId = $this->actionLog->append(
                $action,
                ActionLogWriter::STATUS_SUCCEEDED,
                $caller,
                $reason,
                $incidentId,
                $key,
                $request,
                $outcome->priorState,
                $outcome->result
            );
            $response = ['action_id' => $actionId, 'replayed' => false] + $outcome->result;
            if ($key !== null) {
                $this->idempotencyStore->complete($key, $response);
            }
            $connection->commit();
        } catch (\Throwable $exception) {
            $connection->rollBack();
            $this->recordFailure($action, $caller, $reason, $incidentId, $key, $request, $exception);
            throw $exception;
        }
        foreach ($outcome->afterCommit as $callback) {
            $callback();
        }
        return $response;
    }

    /**
     * Frees the idempotency key (so the request may be retried) and logs the failure.
     *
     * @param array<string, mixed> $request
     */
    private function recordFailure(
        string $action,
        Caller $caller,
        string $reason,
        ?string $incidentId,
        ?string $key,
        array $request,
        \Throwable $exception
    ): void {
        try {
            if ($key !== null) {
                $this->idempotencyStore->release($key);
            }
            $this->actionLog->append(
                $action,
                ActionLogWriter::STATUS_FAILED,
                $caller,
                $reason,
                $incidentId,
                $key,
                $request,
                null,
                ['error' => $exception->getMessage()]
            );
        } catch (\Throwable) {
            // The caller needs the original error, not this one (e.g. both fail because the database is gone).
            return;
        }
    }
}
