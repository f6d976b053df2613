<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Action;

use Magento\Authorization\Model\UserContextInterface;
use Magento\Framework\App\ResourceConnection;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Exception\NoSuchEntityException;
use MagentoIr\IncidentResponse\Model\ActionLog\ActionLogWriter;
use MagentoIr\IncidentResponse\Model\Idempotency\IdempotencyKeyReader;
use MagentoIr\IncidentResponse\Model\Idempotency\IdempotencyStore;

/**
 * Runs one containment write: idempotency, one database transaction, and an action-log record either way.
 *
 * The idempotency key is reserved inside the same transaction as the change, so a request that dies (a
 * PHP fatal error, a killed process) leaves nothing behind: MySQL rolls the reservation back with the change.
 * Every refusal after the request's shape was validated (unknown entities, idempotency conflicts, a second
 * restore) is logged as "rejected", every other error as "failed"; a replay changes nothing and logs nothing.
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
     * Applies $operation once per caller and idempotency key; returns the response body with action_id and
     * replayed. Refusals that depend on the store's state belong inside $operation, so they are logged.
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
        try {
            $key = $this->keyReader->read();
        } catch (InputException $exception) {
            $this->recordFailure($action, $caller, $reason, $incidentId, null, $request, $exception);
            throw $exception;
        }
        $connection = $this->resource->getConnection();
        $connection->beginTransaction();
        // Magento's adapter reconnects after a lost connection and retries the query outside the
        // transaction; the session id tells when that happened, before the log claims success.
        $session = $this->session();
        try {
            if ($key !== null) {
                $stored = $this->idempotencyStore->reserve(
                    $caller,
                    $key,
                    $action,
                    hash('sha256', $action . "\n" . json_encode($request, JSON_THROW_ON_ERROR))
                );
                if ($stored !== null) {
                    $connection->commit();
                    return ['replayed' => true] + $stored;
                }
            }
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
                $outcome->result,
                $session
            );
            $response = ['action_id' => $actionId, 'replayed' => false] + $outcome->result;
            if ($key !== null) {
                $this->idempotencyStore->complete($caller, $key, $response);
            }
            $this->assertSession($session);
            $connection->commit();
        } catch (\Throwable $exception) {
            // Undoes the change and the key's reservation alike: the key may be retried at once.
            $this->rollBack();
            $this->recordFailure($action, $caller, $reason, $incidentId, $key, $request, $exception);
            throw $exception;
        }
        foreach ($outcome->afterCommit as $callback) {
            $callback();
        }
        return $response;
    }

    /**
     * The database session (MySQL connection id) of the current connection.
     */
    public function session(): int
    {
        return (int) $this->resource->getConnection()->fetchOne('SELECT CONNECTION_ID()');
    }

    /**
     * @throws \RuntimeException when the connection was replaced since $session (its transaction is gone)
     */
    public function assertSession(int $session): void
    {
        if ($this->session() !== $session) {
            throw new \RuntimeException(
                'The database connection was lost during the write and Magento reconnected outside its'
                . ' transaction, so the change was not committed as one. Check the store, then retry.'
            );
        }
    }

    private function rollBack(): void
    {
        try {
            $this->resource->getConnection()->rollBack();
        } catch (\Throwable) {
            // The connection that held the transaction is gone, and MySQL rolled the transaction back with it.
            return;
        }
    }

    /**
     * "rejected" for a refusal of the request (HTTP 4xx), "failed" for anything else.
     */
    public static function statusOf(\Throwable $exception): string
    {
        return $exception instanceof InputException || $exception instanceof NoSuchEntityException
            ? ActionLogWriter::STATUS_REJECTED
            : ActionLogWriter::STATUS_FAILED;
    }

    /**
     * Logs a refused or failed request in its own transaction, after the change was rolled back.
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
            $this->actionLog->append(
                $action,
                self::statusOf($exception),
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
