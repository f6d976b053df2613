<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Admin;

use Magento\Authorization\Model\UserContextInterface;
use Magento\Framework\App\ResourceConnection;
use Magento\Framework\Stdlib\DateTime\DateTime;
use Magento\User\Model\ResourceModel\User as UserResource;
use MagentoIr\IncidentResponse\Api\Data\AdminLockdownResultInterface;
use MagentoIr\IncidentResponse\Api\LockdownAdminsInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Caller;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\AdminLockdownResult;
use MagentoIr\IncidentResponse\Model\Session\TerminateSessions;
use MagentoIr\IncidentResponse\Model\Sql\IdCondition;
use MagentoIr\IncidentResponse\Model\Token\TokenRevoker;

/**
 * Shuts every admin user and integration out except the kept ones and the caller.
 */
final class LockdownAdmins implements LockdownAdminsInterface
{
    public const ACTION = 'admins.lockdown';
    public const MODES = ['deactivate', 'lock'];
    /** One year: outlasts any incident; admin_user.lock_expires is a TIMESTAMP, which ends in 2038. */
    public const LOCK_LIFETIME = 31536000;
    /** Magento\Integration\Model\Integration::STATUS_ACTIVE / STATUS_INACTIVE / STATUS_RECREATED */
    public const INTEGRATION_ACTIVE = 1;
    public const INTEGRATION_INACTIVE = 0;
    public const INTEGRATION_RECREATED = 2;

    public function __construct(
        private readonly ActionRunner $runner,
        private readonly Input $input,
        private readonly ResourceConnection $resource,
        private readonly UserResource $userResource,
        private readonly TokenRevoker $tokenRevoker,
        private readonly LockdownStore $lockdownStore,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(
        string $reason,
        ?string $incidentId = null,
        string $mode = 'deactivate',
        array $keepAdminIds = [],
        bool $includeIntegrations = true
    ): AdminLockdownResultInterface {
        $request = [
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
            'mode' => $this->input->oneOf('mode', $mode, self::MODES),
            'keepAdminIds' => $this->input->ids('keepAdminIds', $keepAdminIds),
            'includeIntegrations' => $includeIntegrations,
        ];
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            fn (Caller $caller): ActionOutcome => $this->lockdown($request, $caller)
        );
        return AdminLockdownResult::fromArray($response);
    }

    /**
     * @param array<string, mixed> $request
     */
    private function lockdown(array $request, Caller $caller): ActionOutcome
    {
        $connection = $this->resource->getConnection();
        $now = $this->dateTime->gmtTimestamp();
        $nowDate = $this->dateTime->gmtDate('Y-m-d H:i:s', $now);
        $keptAdmins = $request['keepAdminIds'];
        if ($caller->adminId() !== null && !in_array($caller->adminId(), $keptAdmins, true)) {
            $keptAdmins[] = $caller->adminId();
        }
        sort($keptAdmins);
        $others = IdCondition::sql('user_id', [], $keptAdmins);
        $adminTable = $this->resource->getTableName('admin_user');

        $stillIn = $request['mode'] === 'deactivate'
            ? 'is_active = 1'
            : $connection->quoteInto('(lock_expires IS NULL OR lock_expires < ?)', $nowDate);
        $admins = [];
        $rows = $connection->fetchAll(
            "SELECT user_id, is_active, lock_expires FROM {$adminTable}"
            . " WHERE {$others} AND {$stillIn} ORDER BY user_id"
        );
        foreach ($rows as $row) {
            $admins[(int) $row['user_id']] = [
                'is_active' => (int) $row['is_active'],
                'lock_expires' => $row['lock_expires'] === null ? null : (string) $row['lock_expires'],
            ];
        }
        $adminIds = array_keys($admins);
        if ($adminIds !== []) {
            if ($request['mode'] === 'deactivate') {
                $connection->update($adminTable, ['is_active' => 0], IdCondition::sql('user_id', $adminIds));
            } else {
                $this->userResource->lock($adminIds, $caller->adminId() ?? 0, self::LOCK_LIFETIME);
            }
        }
        // Every admin but the kept ones loses tokens and sessions, including those already inactive or locked.
        $revocation = $this->tokenRevoker->revoke(UserContextInterface::USER_TYPE_ADMIN, $others, $now);
        $sessionsEnded = $connection->update(
            $this->resource->getTableName('admin_user_session'),
            ['status' => TerminateSessions::ADMIN_SESSION_LOGGED_OUT_MANUALLY, 'updated_at' => $nowDate],
            ['status = ' . TerminateSessions::ADMIN_SESSION_LOGGED_IN, $others]
        );

        $keptIntegrations = $caller->integrationId() !== null ? [$caller->integrationId()] : [];
        $integrations = $request['includeIntegrations'] ? $this->shutIntegrations($keptIntegrations) : [];

        $result = [
            'mode' => $request['mode'],
            'admin_ids' => $adminIds,
            'kept_admin_ids' => $keptAdmins,
            'integration_ids' => array_keys($integrations),
            'kept_integration_ids' => $keptIntegrations,
            'admin_sessions_ended' => $sessionsEnded,
            'admin_tokens_revoked' => $revocation->userCount,
        ];
        if ($admins !== [] || $integrations !== []) {
            $result['lockdown_id'] = $this->lockdownStore->record($request['mode'], $nowDate, $admins, $integrations);
        }
        return new ActionOutcome(
            ['admins' => $admins, 'integrations' => $integrations],
            $result,
            [fn () => $this->tokenRevoker->forgetCached($revocation)]
        );
    }

    /**
     * Sets active (or re-authorised) integrations inactive and revokes their access tokens; returns their
     * prior state.
     *
     * @param list<int> $kept
     * @return array<int, array{status: int, token_ids: list<int>}>
     */
    private function shutIntegrations(array $kept): array
    {
        $connection = $this->resource->getConnection();
        $integrationTable = $this->resource->getTableName('integration');
        $tokenTable = $this->resource->getTableName('oauth_token');
        $rows = $connection->fetchAll(
            "SELECT integration_id, status, consumer_id FROM {$integrationTable} WHERE status IN (?, ?) AND "
            . IdCondition::sql('integration_id', [], $kept) . ' ORDER BY integration_id',
            [self::INTEGRATION_ACTIVE, self::INTEGRATION_RECREATED]
        );
        $integrations = [];
        foreach ($rows as $row) {
            $tokenIds = $row['consumer_id'] === null ? [] : array_map('intval', $connection->fetchCol(
                "SELECT entity_id FROM {$tokenTable} WHERE consumer_id = ? AND type = 'access' AND revoked = 0",
                [(int) $row['consumer_id']]
            ));
            $integrations[(int) $row['integration_id']] = ['status' => (int) $row['status'], 'token_ids' => $tokenIds];
        }
        if ($integrations !== []) {
            $connection->update(
                $integrationTable,
                ['status' => self::INTEGRATION_INACTIVE],
                IdCondition::sql('integration_id', array_keys($integrations))
            );
            $tokenIds = array_merge(...array_values(array_column($integrations, 'token_ids')));
            if ($tokenIds !== []) {
                $connection->update($tokenTable, ['revoked' => 1], IdCondition::sql('entity_id', $tokenIds));
            }
        }
        return $integrations;
    }
}
