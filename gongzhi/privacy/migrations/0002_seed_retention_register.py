"""Seed the retention rules (PIPL art. 19) and the register of processing activities (arts.
55–56). Both are data: an installation changes the numbers and texts afterwards; this seed
never overwrites a row that exists."""

from django.db import migrations

RETENTION = [
    # category, days, action, basis
    ("sms_codes", 1, "expires", "短信验证码仅以散列形式存于缓存，5分钟失效（SMS_CODE_TTL）"),
    ("audit", 180, "keep", "《网络安全法》第21条：网络日志留存不少于六个月；审计记录为哈希链，永不删除"),
    ("ticket_photos", 1095, "delete", "诉求办结后照片保留三年，供复核和投诉处理"),
    ("moved_away", 1095, "anonymise", "居民迁出满三年后匿名化，保留工单、表决、积分等记录"),
]

ACTIVITIES = [
    {
        "code": "registry",
        "name": "居民信息登记",
        "purpose": "掌握辖区实有人口，开展社区服务与管理（网格化服务管理）",
        "categories": "姓名、性别、出生日期、身份证件号码、手机号码、住址、与户主关系、居住状态、关爱标签、技能特长",
        "sensitive": True,
        "legal_basis": "《个人信息保护法》第13条第1款第3项（履行法定职责）；《城市居民委员会组织法》",
        "recipients": "本社区及网格工作人员、街道工作人员（按职责）",
        "retention": "居住期间；迁出满三年后匿名化",
        "security": "证件号码和手机号码加密存储（AES-256-GCM/SM4）与盲索引；脱敏显示；查看明文须说明理由并留痕；按地域和角色授权",
    },
    {
        "code": "tickets",
        "name": "居民诉求办理",
        "purpose": "受理、派遣、办理和回访居民诉求",
        "categories": "诉求人账号、诉求内容、照片、位置（可选的精确坐标）、评价",
        "sensitive": True,
        "legal_basis": "《个人信息保护法》第13条第1款第1项（同意）及第3项（履行法定职责）；精确位置另行单独同意",
        "recipients": "网格员、社区工作人员、被派遣的党员、物业或共建单位（仅限所办诉求）",
        "retention": "诉求长期留档；办结三年后删除照片",
        "security": "照片重新编码去除EXIF信息，经权限检查后提供；操作全程审计",
    },
    {
        "code": "volunteering",
        "name": "志愿服务与积分",
        "purpose": "志愿者登记、活动签到、服务时长与积分、时间银行、积分兑换",
        "categories": "志愿者信息、签到时间、服务时长、积分与时间银行流水、兑换记录",
        "sensitive": False,
        "legal_basis": "《个人信息保护法》第13条第1款第1项（同意）",
        "recipients": "社区工作人员、活动组织者、兑换商户（仅兑换码和商品）",
        "retention": "账户存续期间；流水长期保存（复式记账）",
        "security": "复式记账、幂等键、审计记录",
    },
    {
        "code": "deliberation",
        "name": "议事协商与表决",
        "purpose": "议题、意见、会议、投票、业主表决",
        "categories": "发起人、意见内容、投票记录、业主身份与表决票",
        "sensitive": False,
        "legal_basis": "《个人信息保护法》第13条第1款第1项（同意）；业主表决依《民法典》第278条",
        "recipients": "社区工作人员；公开结果不含个人选择",
        "retention": "长期留档",
        "security": "表决记录封存（哈希）；意见审核；审计记录",
    },
    {
        "code": "rights",
        "name": "个人信息权利响应",
        "purpose": "查阅复制、更正删除申请、同意记录",
        "categories": "申请内容、处理结果、拒绝理由、同意及撤回记录",
        "sensitive": False,
        "legal_basis": "《个人信息保护法》第44—50条",
        "recipients": "本社区工作人员",
        "retention": "长期留档",
        "security": "本人下载须登录、限频、审计；下载链接不含个人信息",
    },
]


def seed(apps, schema_editor):
    Rule = apps.get_model("privacy", "RetentionRule")
    Activity = apps.get_model("privacy", "ProcessingActivity")
    for category, days, action, basis in RETENTION:
        Rule.objects.get_or_create(
            category=category, defaults={"keep_days": days, "action": action, "basis": basis}
        )
    for order, row in enumerate(ACTIVITIES):
        Activity.objects.get_or_create(
            code=row["code"], defaults={**{k: v for k, v in row.items() if k != "code"}, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
