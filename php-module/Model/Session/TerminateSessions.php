<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Session;

use Magento\Authorization\Model\UserContextInterface;
use Magento\Framework\App\DeploymentConfig;
use Magento\Framework\App\ResourceConnection;
use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Api\Data\SessionTerminationResultInterface;
use MagentoIr\IncidentResponse\Api\TerminateSessionsInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Caller;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\SessionTerminationResult;
use MagentoIr\IncidentResponse\Model\Sql\IdCondition;
use MagentoIr\IncidentResponse\Model\Token\TokenRevoker;

/**
 * Logs every user in scope out with a handful of set-based statements, whatever the number of users.
 */
final class TerminateSessions implements TerminateSessionsInterface
{
    public const ACTION = 'sessions.terminate';
    public const SCOPES = ['customers', 'admins', 'all'];
    /** Magento\Security\Model\AdminSessionInfo::LOGGED_IN / LOGGED_OUT_MANUALLY */
    public const ADMIN_SESSION_LOGGED_IN = 1;
    public const ADMIN_SESSION_LOGGED_OUT_MANUALLY = 3;

    public function __construct(
        private readonly ActionRunner $runner,
        private readonly Input $input,
        private readonly ResourceConnection $resource,
        private readonly TokenRevoker $tokenRevoker,
        private readonly DeploymentConfig $deploymentConfig,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(
        string $scope,
        string $reason,
        ?string $incidentId = null,
        array $customerIds = [],
        array $adminIds = [],
        array $excludeCustomerIds = [],
        array $excludeAdminIds = [],
        bool $logoutCaller = false
    ): SessionTerminationResultInterface {
        $request = [
            'scope' => $this->input->oneOf('scope', $scope, self::SCOPES),
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
            'customerIds' => $this->input->ids('customerIds', $customerIds),
            'adminIds' => $this->input->ids('adminIds', $adminIds),
            'excludeCustomerIds' => $this->input->ids('excludeCustomerIds', $excludeCustomerIds),
            'excludeAdminIds' => $this->input->ids('excludeAdminIds', $excludeAdminIds),
            'logoutCaller' => $logoutCaller,
        ];
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            fn (Caller $caller): ActionOutcome => $this->terminate($request, $caller)
        );
        return SessionTerminationResult::fromArray($response);
    }

    /**
     * @param array<string, mixed> $request
     */
    private function terminate(array $request, Caller $caller): ActionOutcome
    {
        $connection = $this->resource->getConnection();
        $now = $this->dateTime->gmtTimestamp();
        $nowDate = $this->dateTime->gmtDate('Y-m-d H:i:s', $now);
        $scope = $request['scope'];
        $result = [
            'scope' => $scope,
            'customer_tokens_revoked' => 0,
            'admin_tokens_revoked' => 0,
            'admin_sessions_ended' => 0,
            'customer_sessions_cut_off' => 0,
            'session_rows_deleted' => 0,
            'persistent_sessions_deleted' => 0,
            'caller_kept' => false,
        ];
        $afterCommit = [];

        if ($scope !== 'customers') {
            $excludeAdmins = $request['excludeAdminIds'];
            $callerAdminId = $caller->adminId();
            $callerInScope = $callerAdminId !== null
                && ($request['adminIds'] === [] || in_array($callerAdminId, $request['adminIds'], true))
                && !in_array($callerAdminId, $excludeAdmins, true);
            if ($callerInScope && !$request['logoutCaller']) {
                $excludeAdmins[] = $callerAdminId;
                $result['caller_kept'] = true;
            }
            $revocation = $this->tokenRevoker->revoke(
                UserContextInterface::USER_TYPE_ADMIN,
                IdCondition::sql('user_id', $request['adminIds'], $excludeAdmins),
                $now
            );
            $afterCommit[] = fn () => $this->tokenRevoker->forgetCached($revocation);
            $result['admin_tokens_revoked'] = $revocation->userCount;
            $result['admin_sessions_ended'] = $connection->update(
                $this->resource->getTableName('admin_user_session'),
                ['status' => self::ADMIN_SESSION_LOGGED_OUT_MANUALLY, 'updated_at' => $nowDate],
                [
                    'status = ' . self::ADMIN_SESSION_LOGGED_IN,
                    IdCondition::sql('user_id', $request['adminIds'], $excludeAdmins),
                ]
            );
        }

        if ($scope !== 'admins') {
            $condition = IdCondition::sql('entity_id', $request['customerIds'], $request['excludeCustomerIds']);
            $revocation = $this->tokenRevoker->revoke(UserContextInterface::USER_TYPE_CUSTOMER, $condition, $now);
            $afterCommit[] = fn () => $this->tokenRevoker->forgetCached($revocation);
            $result['customer_tokens_revoked'] = $revocation->userCount;
            // What SessionCleaner::clearFor() does per customer, for all of them at once.
            $connection->update(
                $this->resource->getTableName('customer_entity'),
                ['session_cutoff' => $nowDate],
                $condition
            );
            $result['customer_sessions_cut_off'] = $revocation->userCount;
            $result['persistent_sessions_deleted'] = $connection->delete(
                $this->resource->getTableName('persistent_session'),
                IdCondition::sql('customer_id', $request['customerIds'], $request['excludeCustomerIds'])
            );
        }

        $everyone = $scope === 'all' && $request['customerIds'] === [] && $request['adminIds'] === []
            && $request['excludeCustomerIds'] === [] && $request['excludeAdminIds'] === [] && !$result['caller_kept'];
        if ($everyone && $this->deploymentConfig->get('session/save') === 'db') {
            // Session rows cannot be told apart by user, so they go only when everybody is logged out.
            $result['session_rows_deleted'] = $connection->delete($this->resource->getTableName('session'));
        }

        return new ActionOutcome(null, $result, $afterCommit);
    }
}
