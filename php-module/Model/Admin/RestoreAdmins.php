<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Admin;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Framework\Phrase;
use Magento\Framework\Stdlib\DateTime\DateTime;
use Magento\Integration\Api\OauthServiceInterface;
use MagentoIr\IncidentResponse\Api\Data\AdminRestoreResultInterface;
use MagentoIr\IncidentResponse\Api\RestoreAdminsInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\AdminRestoreResult;
use MagentoIr\IncidentResponse\Model\Sql\IdCondition;

/**
 * Puts back what a lockdown recorded; revoked admin tokens and ended sessions stay ended. The integrations'
 * revoked access tokens stay dead too and are re-issued ("reissue", the default), unless "revive" is asked.
 */
final class RestoreAdmins implements RestoreAdminsInterface
{
    public const ACTION = 'admins.restore';
    public const INTEGRATION_TOKENS = ['reissue', 'revive'];

    public function __construct(
        private readonly ActionRunner $runner,
        private readonly Input $input,
        private readonly ResourceConnection $resource,
        private readonly LockdownStore $lockdownStore,
        private readonly DateTime $dateTime,
        private readonly OauthServiceInterface $oauthService
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(
        int $lockdownId,
        string $reason,
        ?string $incidentId = null,
        string $integrationTokens = 'reissue'
    ): AdminRestoreResultInterface {
        $request = [
            'lockdownId' => $this->input->intRange('lockdownId', $lockdownId, 1, PHP_INT_MAX),
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
            'integrationTokens' => $this->input->oneOf(
                'integrationTokens',
                $integrationTokens,
                self::INTEGRATION_TOKENS
            ),
        ];
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            fn (): ActionOutcome => $this->restore($lockdownId, $request['integrationTokens'])
        );
        return AdminRestoreResult::fromArray($response);
    }

    private function restore(int $lockdownId, string $integrationTokens): ActionOutcome
    {
        // Refused inside the action so the refusal (e.g. a second restore) is logged.
        $lockdown = $this->lockdownStore->find($lockdownId);
        if ($lockdown === null) {
            throw NoSuchEntityException::singleField('lockdownId', $lockdownId);
        }
        if ($lockdown['restored_at'] !== null) {
            throw new InputException(new Phrase('Lockdown %1 was already restored.', [$lockdownId]));
        }
        $connection = $this->resource->getConnection();
        $reissued = [];
        $revived = [];
        $items = $this->lockdownStore->items($lockdownId);
        foreach ($items[LockdownStore::SUBJECT_ADMIN] as $userId => $prior) {
            $connection->update(
                $this->resource->getTableName('admin_user'),
                ['is_active' => (int) ($prior['is_active'] ?? 1), 'lock_expires' => $prior['lock_expires'] ?? null],
                ['user_id = ?' => $userId]
            );
        }
        foreach ($items[LockdownStore::SUBJECT_INTEGRATION] as $integrationId => $prior) {
            $connection->update(
                $this->resource->getTableName('integration'),
                ['status' => (int) ($prior['status'] ?? LockdownAdmins::INTEGRATION_ACTIVE)],
                ['integration_id = ?' => $integrationId]
            );
            $tokenIds = array_map('intval', is_array($prior['token_ids'] ?? null) ? $prior['token_ids'] : []);
            if ($tokenIds === []) {
                continue;
            }
            if ($integrationTokens === 'revive') {
                $connection->update(
                    $this->resource->getTableName('oauth_token'),
                    ['revoked' => 0],
                    IdCondition::sql('entity_id', $tokenIds)
                );
                $revived[] = $integrationId;
            } elseif ($this->reissue($integrationId, $tokenIds)) {
                $reissued[] = $integrationId;
            }
        }
        $this->lockdownStore->markRestored($lockdownId, $this->dateTime->gmtDate('Y-m-d H:i:s'));
        return new ActionOutcome($items, [
            'lockdown_id' => $lockdownId,
            'admin_ids' => array_keys($items[LockdownStore::SUBJECT_ADMIN]),
            'integration_ids' => array_keys($items[LockdownStore::SUBJECT_INTEGRATION]),
            'integration_tokens' => $integrationTokens,
            'reissued_integration_ids' => $reissued,
            'revived_integration_ids' => $revived,
        ]);
    }

    /**
     * Replaces an integration's revoked access tokens with a new one, as Magento's Reauthorize does: Magento
     * keeps one token row per integration consumer, so the revoked rows go (their ids stay in the lockdown's
     * record and in the action log) and OauthService issues a new token, read in Admin > System > Integrations.
     *
     * @param list<int> $tokenIds the access tokens the lockdown revoked
     * @return bool whether a new token was issued (false: the integration already holds a newer one)
     */
    private function reissue(int $integrationId, array $tokenIds): bool
    {
        $connection = $this->resource->getConnection();
        $consumerId = $connection->fetchOne(
            'SELECT consumer_id FROM ' . $this->resource->getTableName('integration') . ' WHERE integration_id = ?',
            [$integrationId]
        );
        if ($consumerId === false || $consumerId === null) {
            return false;
        }
        $connection->delete(
            $this->resource->getTableName('oauth_token'),
            [IdCondition::sql('entity_id', $tokenIds), 'revoked = 1']
        );
        return (bool) $this->oauthService->createAccessToken((int) $consumerId, false);
    }
}
