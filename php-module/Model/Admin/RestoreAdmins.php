<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Admin;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Framework\Phrase;
use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Api\Data\AdminRestoreResultInterface;
use MagentoIr\IncidentResponse\Api\RestoreAdminsInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\AdminRestoreResult;
use MagentoIr\IncidentResponse\Model\Sql\IdCondition;

/**
 * Puts back exactly what a lockdown recorded; revoked admin tokens and ended sessions stay ended.
 */
final class RestoreAdmins implements RestoreAdminsInterface
{
    public const ACTION = 'admins.restore';

    public function __construct(
        private readonly ActionRunner $runner,
        private readonly Input $input,
        private readonly ResourceConnection $resource,
        private readonly LockdownStore $lockdownStore,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(int $lockdownId, string $reason, ?string $incidentId = null): AdminRestoreResultInterface
    {
        $request = [
            'lockdownId' => $this->input->intRange('lockdownId', $lockdownId, 1, PHP_INT_MAX),
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
        ];
        $lockdown = $this->lockdownStore->find($lockdownId);
        if ($lockdown === null) {
            throw NoSuchEntityException::singleField('lockdownId', $lockdownId);
        }
        if ($lockdown['restored_at'] !== null) {
            throw new InputException(new Phrase('Lockdown %1 was already restored.', [$lockdownId]));
        }
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            fn (): ActionOutcome => $this->restore($lockdownId)
        );
        return AdminRestoreResult::fromArray($response);
    }

    private function restore(int $lockdownId): ActionOutcome
    {
        $connection = $this->resource->getConnection();
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
            if ($tokenIds !== []) {
                $connection->update(
                    $this->resource->getTableName('oauth_token'),
                    ['revoked' => 0],
                    IdCondition::sql('entity_id', $tokenIds)
                );
            }
        }
        $this->lockdownStore->markRestored($lockdownId, $this->dateTime->gmtDate('Y-m-d H:i:s'));
        return new ActionOutcome($items, [
            'lockdown_id' => $lockdownId,
            'admin_ids' => array_keys($items[LockdownStore::SUBJECT_ADMIN]),
            'integration_ids' => array_keys($items[LockdownStore::SUBJECT_INTEGRATION]),
        ]);
    }
}
